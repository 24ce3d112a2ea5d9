import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Producer } from 'kafkajs';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { ConsumerEnv } from '../../lambdas/runtime/consumer-env';
import { Emulator } from '../../lib/local/emulator';
import { kafkaClient, serviceEndpoints, uniqueName } from '../support/services';
import { synthToDir } from '../support/synth';
import { kafkaMapping, kafkaTopic } from './fixtures/emulator-app';

/**
 * A record that can be neither processed nor dead-lettered must never be committed. An on-demand
 * (economical) mapping ignores batchItemFailures, so the runtime fails the invocation and Lambda
 * delivers the batch again; a mapping with ReportBatchItemFailures (low latency) gets an item
 * failure for exactly that record and the later ones of its partition.
 */
describe('records neither done nor dead-lettered', () => {
  const id = uniqueName('unfinished');
  const topics = { economical: `${id}-economical`, lowLatency: `${id}-low-latency` };
  let emulator: Emulator;
  let producer: Producer;
  let dir: string;

  const consumerFunction = (stack: Stack, fnId: string, reportsItemFailures: boolean) => new NodejsFunction(stack, fnId, {
    entry: path.join(__dirname, 'fixtures', 'functions', 'failing-consumer.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(30),
    environment: {
      // A broker string, as a consumer's template holds one (local mode gives the function the local broker for it).
      KAFKA_BOOTSTRAP_SERVERS: 'b-1.example.com:9092',
      [ConsumerEnv.DEAD_LETTER_TOPIC]: `${id}-no-such-dead-letter-topic`,
      [ConsumerEnv.MAX_ATTEMPTS]: '1',
      [ConsumerEnv.REPORT_BATCH_ITEM_FAILURES]: String(reportsItemFailures),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    // As the project's functions do (lib/function/project-function.ts): the runtime's SDK clients are bundled.
    bundling: { minify: false, sourceMap: false, bundleAwsSDK: true },
  });
  const invocations = (logical: string) => {
    const name = emulator.functions.find((f) => f.logicalId.startsWith(logical))!.name;
    return emulator.invocations.filter((i) => i.functionName === name);
  };
  const records = (ids: string[], failing: string) => ids.map((n) => ({ key: 'k', value: encodeEvent(createEvent({ id: n, type: 'test.happened', source: 'urn:test', data: { fail: n === failing } })) }));

  beforeAll(async () => {
    producer = kafkaClient().producer();
    await producer.connect();
    // GIVEN an economical mapping (no ReportBatchItemFailures, no destination: Lambda retries until
    // the batch succeeds) and a low-latency one (ReportBatchItemFailures, one retry)
    dir = synthToDir((app) => {
      const stack = new Stack(app, `Unfinished${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'EconomicalTopic', topics.economical, 1);
      kafkaTopic(stack, 'LowLatencyTopic', topics.lowLatency, 1);
      kafkaMapping(stack, 'EconomicalMapping', consumerFunction(stack, 'Economical', false), { topic: topics.economical, window: 1 });
      kafkaMapping(stack, 'LowLatencyMapping', consumerFunction(stack, 'LowLatency', true), { topic: topics.lowLatency, window: 1, reportBatchItemFailures: true, maximumRetryAttempts: 1 });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, retryBackoffMs: 20 });
  }, 120_000);

  afterAll(async () => {
    await emulator?.stop();
    await producer?.disconnect();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN an economical consumer WHEN a record cannot be dead-lettered THEN the invocation fails and the record is delivered again', async () => {
    // WHEN
    await producer.send({ topic: topics.economical, messages: records(['e0', 'e1', 'e2'], 'e1') });
    await emulator.waitFor(() => invocations('Economical').find((i) => i.eventIds.includes('e1') && (i.attempt ?? 0) >= 2), 90_000);
    // THEN
    const withE1 = invocations('Economical').filter((i) => i.eventIds.includes('e1'));
    expect(withE1[0]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^BatchNotCompletedError: 2 record\(s\) of the batch were neither processed nor dead-lettered/) });
    expect(withE1[1]).toMatchObject({ attempt: 2, eventIds: ['e0', 'e1', 'e2'] });
  }, 120_000);

  test('GIVEN a low-latency consumer WHEN a record cannot be dead-lettered THEN exactly that record and the later ones are reported and delivered again', async () => {
    // WHEN
    await producer.send({ topic: topics.lowLatency, messages: records(['l0', 'l1', 'l2'], 'l1') });
    await emulator.waitFor(() => invocations('LowLatency').find((i) => (i.attempt ?? 0) >= 2), 90_000);
    // THEN
    const [first, second] = invocations('LowLatency');
    expect(first).toMatchObject({ outcome: 'partial', eventIds: ['l0', 'l1', 'l2'] });
    expect(second).toMatchObject({ attempt: 2, eventIds: ['l1', 'l2'] });
  }, 120_000);
});
