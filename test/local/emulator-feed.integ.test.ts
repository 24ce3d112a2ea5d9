import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import { Kafka } from 'kafkajs';
import { Emulator, FunctionLogLine } from '../../lib/local/emulator/emulator';
import { kafkaClient, serviceEndpoints, uniqueName } from '../support/services';
import { synthToDir } from '../support/synth';
import { kafkaMapping, kafkaTopic, recorderFunction } from './fixtures/emulator-app';

/**
 * The emulator's event feed (what the console and the quiet terminal are built on), and a
 * mapping reading records a transactional producer wrote (what `dlq redrive` does).
 */
describe('emulator event feed', () => {
  const id = uniqueName('feed');
  const topic = `${id}-in`;
  let emulator: Emulator;
  let kafka: Kafka;
  let dir: string;

  beforeAll(async () => {
    kafka = kafkaClient();
    dir = synthToDir((app) => {
      const stack = new Stack(app, `Feed${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'InTopic', topic, 1);
      kafkaMapping(stack, 'Mapping', recorderFunction(stack, 'Recorder'), { topic });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
  }, 120_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a function invoked WHEN it logs THEN each line carries the request id of its invocation record', async () => {
    // GIVEN
    const lines: FunctionLogLine[] = [];
    emulator.on('function-log', (l) => lines.push(l));
    const fn = emulator.functions[0].name;
    // WHEN
    const first = await emulator.invoke(fn, { n: 1 });
    const second = await emulator.invoke(fn, { n: 2 });
    // THEN
    const records = emulator.invocations.filter((i) => i.trigger === 'direct');
    expect(records.map((r) => r.requestId)).toEqual([first.requestId, second.requestId]);
    const of = (requestId: string) => lines.filter((l) => l.requestId === requestId).map((l) => l.line);
    expect(of(first.requestId).some((l) => l.includes('"n":1'))).toBe(true);
    expect(of(second.requestId).some((l) => l.includes('"n":2'))).toBe(true);
    expect(of(first.requestId).some((l) => l.includes('"n":2'))).toBe(false);
    expect(lines.every((l) => l.functionName === fn)).toBe(true);
  });

  test('GIVEN a record written in a Kafka transaction WHEN the mapping delivered it THEN its group commits past the commit marker and the graph settles', async () => {
    // GIVEN
    const producer = kafka.producer({ transactionalId: `${id}-txn`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ key: 'k', value: JSON.stringify({ id: `${id}-ev` }) }] });
    await txn.commit();
    await producer.disconnect();
    // WHEN
    await emulator.waitFor((invs) => invs.find((i) => i.eventIds.includes(`${id}-ev`)));
    // THEN the marker after the record is committed too: no lag is left
    await emulator.waitForIdle({ quietMs: 500, timeoutMs: 20_000 });
    expect((await emulator.mappingLags()).map((l) => l.lag)).toEqual([0]);
  }, 60_000);

  test('GIVEN an invocation that throws THEN its record carries the stack', async () => {
    const fn = emulator.functions[0].name;
    const poison = { topic, partition: 0, offset: 0, value: Buffer.from('{"fail":true}').toString('base64') };
    const res = await emulator.invoke(fn, { records: { [`${topic}-0`]: [poison] } });
    const record = emulator.invocations.find((i) => i.requestId === res.requestId)!;
    expect(res.outcome).toBe('failed');
    expect(record.stack).toMatch(/^Error: poison record in batch of 1\n\s+at /);
  });
});
