/**
 * Minimal repro of the chaos acceptance's fan-out failures, in the project's fault-suite idiom.
 * Copy into test/resilience/ of a clone and run:
 *
 *   npx jest test/resilience/once-by-event-id-outage.faults.test.ts --selectProjects faults
 *
 * kafkaRecordHandler(onceByEventId(effect)) as docs/fanout.md tells a team to write a consumer,
 * three records of one partition. DynamoDB Local is SIGKILLed right after the first record's
 * effect (restarted 0.5 s later), so that record's idempotency record cannot be completed. Its
 * retries then find the in-progress record of their own invocation (it expires with the
 * invocation) until the invocation's time is up, and the handler returns it and every later record
 * of the partition as batchItemFailures:
 *  - an economical consumer's mapping (KafkaConsumer's default profile) has no
 *    ReportBatchItemFailures, so Lambda — and the emulator — ignore that list and commit the batch:
 *    records 2 and 3 are never applied (the chaos run: ledger lost 35–192 of 600 orders);
 *  - a low-latency mapping delivers the records again after the invocation: the in-progress record
 *    has expired by then and record 1's effect runs a second time (the chaos run: audit doubled).
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { LocalServices } from '../../lib/local/services';
import { startOwnServices } from './support';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { getDynamoClient } from '../../lambdas/runtime/dynamo';
import { onceByEventId } from '../../lambdas/runtime/once-by-event-id';
import { kafkaRecordHandler } from '../../lambdas/runtime/record-handler';
import { mskEvent } from '../runtime/msk-event-builder';

let services: LocalServices;
beforeAll(async () => {
  services = await startOwnServices();
  process.env.AWS_ENDPOINT_URL_DYNAMODB = services.dynamodbEndpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  process.env.POWERTOOLS_SERVICE_NAME = 'repro';
}, 180_000);
afterAll(async () => {
  await services?.stop();
}, 60_000);

test('GIVEN DynamoDB Local crashes right after an effect WHEN the batch is handled THEN every record takes effect once', async () => {
  const table = `repro-idem-${randomUUID().slice(0, 8)}`;
  await getDynamoClient().send(new CreateTableCommand({
    TableName: table, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  }));
  const applied: string[] = [];
  let crashed = false;
  const handler = kafkaRecordHandler(onceByEventId(async (event) => {
    applied.push(event.id);
    if (!crashed) {
      crashed = true;
      await services.killDynamoDb(); // the effect is done; its idempotency record is still "in progress"
      setTimeout(() => void services.restartDynamoDb(), 500);
    }
  }, { table }));
  const events = [1, 2, 3].map((n) => createEvent({ type: 'order.placed', source: 'urn:repro', id: `order-${n}`, data: { n } }));
  const batch = mskEvent(events.map((e, i) => ({ topic: 'orders', partition: 0, offset: i, key: e.id, value: encodeEvent(e) }))) as never;
  const invoke = () => {
    const deadline = Date.now() + 15_000;
    return handler(batch, { getRemainingTimeInMillis: () => deadline - Date.now() } as never);
  };

  const first = await invoke();
  const afterFirst = [...applied];
  // What a low-latency mapping does with that response: it delivers the records again (an
  // economical one commits them instead: records 2 and 3 are then never applied).
  const second = await invoke();

  // Observed: the first invocation applies order-1 only and, after ~12 s of
  // IdempotencyAlreadyInProgressError on its own in-progress record, returns offsets 0, 1, 2 as
  // batchItemFailures; the redelivery runs order-1's effect a second time.
  console.log(JSON.stringify({ afterFirst, firstFailures: first.batchItemFailures.length, afterRedelivery: applied, secondFailures: second.batchItemFailures.length }));
  expect({ afterFirst, firstFailures: first.batchItemFailures, afterRedelivery: applied }).toEqual({
    afterFirst: ['order-1', 'order-2', 'order-3'],
    firstFailures: [],
    afterRedelivery: ['order-1', 'order-2', 'order-3'],
  });
}, 120_000);
