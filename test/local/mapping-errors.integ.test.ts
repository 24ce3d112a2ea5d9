import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Kafka, Producer } from 'kafkajs';
import { Emulator } from '../../lib/local/emulator';
import { kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { kafkaMapping, kafkaTopic, recorderFunction } from './fixtures/emulator-app';

/**
 * Conformance of the emulated event source mapping when the function fails: bounded retries,
 * bisect, partial batch responses, on-failure destinations (Kafka and the SQS stand-in) with
 * AWS's failure record shapes, timeouts, and offsets committed only after success.
 */
describe('emulated Kafka event source mapping: errors', () => {
  const id = uniqueName('esme');
  const t = { retry: `${id}-retry`, dlt: `${id}-retry-dlt`, bisect: `${id}-bisect`, partial: `${id}-partial`, timeout: `${id}-timeout`, restart: `${id}-restart` };
  const queueName = `${id}-failures`;
  let emulator: Emulator;
  let kafka: Kafka;
  let producer: Producer;
  const dirs: string[] = [];
  const sqsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqs-'));
  const logs: string[] = [];
  const poison = (n: string) => JSON.stringify({ id: n, fail: true });
  const ok = (n: string) => JSON.stringify({ id: n });
  const fnName = (e: Emulator, logical: string) => e.functions.find((f) => f.logicalId.startsWith(logical))!.name;
  const invocationsOf = (e: Emulator, logical: string) => e.invocations.filter((i) => i.functionName === fnName(e, logical));

  beforeAll(async () => {
    kafka = kafkaClient();
    producer = kafka.producer();
    await producer.connect();
    // GIVEN mappings with each error control
    dirs.push(synthToDir((app) => {
      const stack = new Stack(app, `Errors${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'RetryTopic', t.retry, 2);
      kafkaTopic(stack, 'BisectTopic', t.bisect, 1);
      kafkaTopic(stack, 'PartialTopic', t.partial, 1);
      kafkaTopic(stack, 'TimeoutTopic', t.timeout, 1);
      const queue = new sqs.Queue(stack, 'Failures', { queueName, enforceSSL: true });
      kafkaMapping(stack, 'RetryMapping', recorderFunction(stack, 'Retry'), { topic: t.retry, batchSize: 1, maximumRetryAttempts: 2, destination: `kafka://${t.dlt}` });
      kafkaMapping(stack, 'BisectMapping', recorderFunction(stack, 'Bisect'), { topic: t.bisect, window: 1, bisect: true, maximumRetryAttempts: 0, destination: queue.queueArn });
      kafkaMapping(stack, 'PartialMapping', recorderFunction(stack, 'Partial'), { topic: t.partial, window: 1, reportBatchItemFailures: true, maximumRetryAttempts: 1, destination: queue.queueArn });
      kafkaMapping(stack, 'TimeoutMapping', recorderFunction(stack, 'Slow', { timeout: Duration.seconds(1) }), { topic: t.timeout, batchSize: 1, maximumRetryAttempts: 0 });
    }));
    emulator = await Emulator.start({ assemblyDir: dirs[0], services: serviceEndpoints(), onLog: (l) => logs.push(l), retryBackoffMs: 20, sqsDir: sqsDir });
  });

  afterAll(async () => {
    await emulator?.stop();
    await producer?.disconnect();
    for (const d of [...dirs, sqsDir]) fs.rmSync(d, { recursive: true, force: true });
  });

  test('a failing record is retried MaximumRetryAttempts times, then sent to the Kafka dead-letter topic with the failure record shape', async () => {
    // WHEN a poison record sits between two good ones on partition 0, and partition 1 has a good one
    await producer.send({ topic: t.retry, messages: [{ partition: 0, key: 'k', value: ok('r0') }, { partition: 0, key: 'poison-key', value: poison('r1') }, { partition: 0, key: 'k', value: ok('r2') }, { partition: 1, value: ok('s0') }] });
    await emulator.waitFor((inv) => inv.find((i) => i.eventIds.includes('r2')));
    // THEN the poison record was invoked 1 + 2 times, and the records around it and on the other partition once
    const inv = invocationsOf(emulator, 'Retry');
    expect(inv.filter((i) => i.eventIds.includes('r1')).map((i) => i.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(inv.filter((i) => i.eventIds.includes('r0')).map((i) => i.outcome)).toEqual(['succeeded']);
    await emulator.waitFor((all) => all.find((i) => i.eventIds.includes('s0')));
    // and the dead-letter topic holds AWS's failure record for it, keyed like the original
    const consumer = kafka.consumer({ groupId: `${id}-dlt-reader` });
    const received: { key: string | undefined; value: any }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: t.dlt, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { received.push({ key: message.key?.toString(), value: JSON.parse(message.value!.toString()) }); } });
    await waitFor(() => received.length > 0, { description: 'a dead-letter record' });
    await consumer.disconnect();
    const [{ key, value }] = received;
    expect(key).toBe('poison-key');
    expect(Object.keys(value)).toEqual(['requestContext', 'responseContext', 'version', 'timestamp', 'KafkaBatchInfo', 'payload']);
    expect(value.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: expect.stringMatching(/^arn:aws:lambda:.*:function:.*:\$LATEST$/) });
    expect(value.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    expect(value.KafkaBatchInfo).toMatchObject({ batchSize: 1, recordInfo: { offset: '1', timestamp: expect.any(String) }, payloadSize: expect.any(Number) });
    expect(value.payload.eventSource).toBe('aws:kafka');
    const [rec] = value.payload.records[`${t.retry}-0`];
    expect(rec.offset).toBe(1);
    expect(JSON.parse(Buffer.from(rec.value, 'base64').toString())).toEqual({ id: 'r1', fail: true });
  });

  test('BisectBatchOnFunctionError splits a failing batch until the failing record is alone', async () => {
    await producer.send({ topic: t.bisect, messages: [ok('b0'), ok('b1'), poison('b2'), ok('b3')].map((value) => ({ value })) });
    await emulator.waitFor((inv) => inv.find((i) => i.eventIds.includes('b3') && i.outcome === 'succeeded'));
    const seen = invocationsOf(emulator, 'Bisect').map((i) => [i.eventIds.join(','), i.outcome]);
    expect(seen).toEqual([['b0,b1,b2,b3', 'failed'], ['b0,b1', 'succeeded'], ['b2,b3', 'failed'], ['b2', 'failed'], ['b3', 'succeeded']]);
    // the record that still failed went to the SQS stand-in, with the batch info of the documented shape
    const [message] = await waitFor(() => emulator.sqsMessages(queueName).filter((m: any) => m.KafkaBatchInfo.recordsInfo[`${t.bisect}-0`]).length > 0
      && emulator.sqsMessages(queueName).filter((m: any) => m.KafkaBatchInfo.recordsInfo[`${t.bisect}-0`])) as any[];
    expect(Object.keys(message)).toEqual(['requestContext', 'responseContext', 'version', 'timestamp', 'KafkaBatchInfo']);
    expect(message.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 });
    expect(message.KafkaBatchInfo).toMatchObject({ batchSize: 1, recordsInfo: { [`${t.bisect}-0`]: { firstRecordOffset: '2', lastRecordOffset: '2' } } });
  });

  test('a partial batch response commits up to the lowest failed offset and retries from there', async () => {
    await producer.send({ topic: t.partial, messages: [ok('p0'), JSON.stringify({ id: 'p1', partialFail: true }), ok('p2')].map((value) => ({ value })) });
    const failed = await waitFor(() => emulator.sqsMessages(queueName).find((m: any) => m.KafkaBatchInfo.recordsInfo[`${t.partial}-0`]) as any, { description: 'the partial batch failure record' });
    const seen = invocationsOf(emulator, 'Partial').map((i) => [i.eventIds.join(','), i.outcome]);
    expect(seen).toEqual([['p0,p1,p2', 'partial'], ['p1,p2', 'partial']]);
    expect(failed.KafkaBatchInfo.recordsInfo[`${t.partial}-0`]).toMatchObject({ firstRecordOffset: '1', lastRecordOffset: '2' });
    expect(failed.requestContext.approximateInvokeCount).toBe(2);
  });

  test('the timeout is enforced and the next invocation starts in a fresh (cold) environment', async () => {
    await producer.send({ topic: t.timeout, messages: [JSON.stringify({ id: 'slow', sleepMs: 5000 }), ok('quick')].map((value) => ({ value })) });
    await emulator.waitFor((inv) => inv.find((i) => i.eventIds.includes('quick')));
    const inv = invocationsOf(emulator, 'Slow');
    expect(inv.map((i) => [i.eventIds[0], i.outcome, i.coldStart])).toEqual([['slow', 'timed-out', true], ['quick', 'succeeded', true]]);
    expect(inv[0].error).toMatch(/Task timed out after 1.00 seconds/);
  });

  test('offsets are committed only after success: a batch still failing when the emulator stops is delivered again after a restart', async () => {
    // GIVEN a mapping with unbounded retries and a poison record
    const dir = synthToDir((app) => {
      const stack = new Stack(app, `Restart${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'RestartTopic', t.restart, 1);
      kafkaMapping(stack, 'RestartMapping', recorderFunction(stack, 'Restart'), { topic: t.restart, groupId: `${id}-restart` });
    });
    dirs.push(dir);
    let first: Emulator | undefined = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, retryBackoffMs: 20 });
    try {
      await producer.send({ topic: t.restart, messages: [{ value: poison('again') }] });
      await first.waitFor((inv) => inv.filter((i) => i.eventIds.includes('again')).length >= 2);
      // WHEN the emulator stops mid-retry
      await first.stop();
      first = undefined;
      const admin = kafka.admin();
      await admin.connect();
      const [offsets] = await admin.fetchOffsets({ groupId: `${id}-restart`, topics: [t.restart] });
      await admin.disconnect();
      expect(offsets.partitions[0].offset).toBe('-1');
      // THEN a new emulator on the same assembly gets the same record again
      const second = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, retryBackoffMs: 20 });
      try {
        const again = await second.waitFor((inv) => inv.find((i) => i.eventIds.includes('again')));
        expect(again.records).toBe(`${t.restart}-0@0..0`);
      } finally {
        await second.stop();
      }
    } finally {
      await first?.stop();
    }
  });
});
