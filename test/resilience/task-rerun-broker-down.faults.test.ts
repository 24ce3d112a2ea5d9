/**
 * Minimal repro of the chaos acceptance's chain-effects-once failure, in the project's fault-suite
 * idiom. Copy into test/resilience/ of a clone and run:
 *
 *   npx jest test/resilience/task-rerun-broker-down.faults.test.ts --selectProjects faults
 *
 * One root task (defineTask, the project's runtime), one run.requested record delivered while the
 * broker is down (SIGKILLed through LocalServices, restarted 8 s later). The claim succeeds
 * (DynamoDB is up), the task function runs — and because its task.started cannot be published,
 * the runner gives the claim back and the record handler's transient retry starts the task again:
 * the function runs once per retry until the broker is back. Expected: one start per run.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { LocalServices } from '../../lib/local/services';
import { startOwnServices } from './support';
import { createJoinTable } from '../chain/chain-fixtures';
import { encodeEvent } from '../../lambdas/runtime/cloudevents';
import { closeProducer } from '../../lambdas/runtime/producer';
import { defineTask } from '../../lambdas/runtime/chain/define-task';
import { runRequested } from '../../lambdas/runtime/chain/events';
import { mskEvent } from '../runtime/msk-event-builder';

let services: LocalServices;
beforeAll(async () => {
  services = await startOwnServices();
  process.env.KAFKA_BOOTSTRAP_SERVERS = services.kafkaBrokers;
  process.env.KAFKA_AUTH = 'none';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = services.dynamodbEndpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
}, 180_000);
afterAll(async () => {
  await closeProducer().catch(() => undefined);
  await services?.stop();
}, 60_000);

test('GIVEN the broker is down WHEN a root task record is handled THEN the task function runs once', async () => {
  const table = `repro-join-${randomUUID().slice(0, 8)}`;
  await createJoinTable(table);
  const admin = new Kafka({ brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'chain.repro.events', numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const env = { CHAIN_NAME: 'repro', TASK_NAME: 'ingest', TASK_DEPENDS_ON: '', JOIN_TABLE_NAME: table, CHAIN_TOPIC: 'chain.repro.events' };
  let calls = 0;
  const handler = defineTask(async () => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { uri: 'repro://ingest' };
  }, env);

  // GIVEN: the broker crashed; it comes back 8 s later (same port and data)
  await services.killKafka();
  const back = new Promise<void>((resolve) => setTimeout(() => void services.restartKafka().then(resolve), 8000));

  // WHEN: a run.requested record (fetched before the crash) is handled, in a 40 s invocation
  const runId = `r-${randomUUID().slice(0, 8)}`;
  const deadline = Date.now() + 40_000;
  const result = await handler(
    mskEvent([{ topic: 'chain.repro.events', partition: 0, offset: 0, key: runId, value: encodeEvent(runRequested('repro', runId, 'repro')) }]) as never,
    { getRemainingTimeInMillis: () => deadline - Date.now() } as never,
  );
  await back;

  // THEN: one start — observed: the function ran once per retry while the broker was away (7× in ~12 s)
  console.log(`task function calls: ${calls}; handler result ${JSON.stringify(result)}`);
  expect(calls).toBe(1);
  expect(result).toEqual({ batchItemFailures: [] });
}, 120_000);
