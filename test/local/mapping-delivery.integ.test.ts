import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Kafka, Producer } from 'kafkajs';
import { Emulator } from '../../lib/local/emulator';
import { kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { kafkaMapping, kafkaTopic, recorderFunction } from './fixtures/emulator-app';

/**
 * Conformance of the emulated event source mapping on the happy path: event shape, batch size,
 * batching window, starting position, one consumer group per mapping, filters, per-partition
 * order; and function isolation and warm reuse.
 */
const SAMPLE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'msk-event.json'), 'utf8'));

describe('emulated Kafka event source mapping: delivery', () => {
  const id = uniqueName('esmd');
  const t = { shape: `${id}-shape`, many: `${id}-many`, latest: `${id}-latest`, window: `${id}-window`, filter: `${id}-filter` };
  let emulator: Emulator;
  let kafka: Kafka;
  let producer: Producer;
  let dir: string;
  const logs: string[] = [];

  const events = (fn: string) => logs.filter((l) => l.startsWith(`[${fn}] EVENT `)).map((l) => JSON.parse(l.slice(l.indexOf('EVENT ') + 6)));
  const fnName = (logical: string) => emulator.functions.find((f) => f.logicalId.startsWith(logical))!.name;

  beforeAll(async () => {
    kafka = kafkaClient();
    producer = kafka.producer();
    await producer.connect();
    // GIVEN an app with five topics and six mappings
    dir = synthToDir((app) => {
      const stack = new Stack(app, `Delivery${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'ShapeTopic', t.shape, 1);
      kafkaTopic(stack, 'ManyTopic', t.many, 3);
      kafkaTopic(stack, 'LatestTopic', t.latest, 1);
      kafkaTopic(stack, 'WindowTopic', t.window, 1);
      kafkaTopic(stack, 'FilterTopic', t.filter, 1);
      kafkaMapping(stack, 'ShapeMapping', recorderFunction(stack, 'Shape'), { topic: t.shape });
      kafkaMapping(stack, 'ManyAMapping', recorderFunction(stack, 'ManyA', { tag: 'A' }), { topic: t.many, batchSize: 10, groupId: `${id}-a` });
      kafkaMapping(stack, 'ManyBMapping', recorderFunction(stack, 'ManyB', { tag: 'B' }), { topic: t.many, batchSize: 10, groupId: `${id}-b` });
      recorderFunction(stack, 'Direct', { tag: 'D' });
      kafkaMapping(stack, 'LatestMapping', recorderFunction(stack, 'Latest'), { topic: t.latest, startingPosition: 'LATEST' });
      kafkaMapping(stack, 'WindowMapping', recorderFunction(stack, 'Window'), { topic: t.window, window: 3 });
      kafkaMapping(stack, 'FilterMapping', recorderFunction(stack, 'Filter'), {
        topic: t.filter, groupId: `${id}-filter`, filters: [{ value: { type: ['post.published'] } }, { value: { priority: [{ numeric: ['>=', 5] }] } }],
      });
    });
    // Records that exist before the emulator starts: TRIM_HORIZON gets them, LATEST must not.
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: t.many, numPartitions: 3 }, { topic: t.latest, numPartitions: 1 }] });
    await admin.disconnect();
    await producer.send({
      topic: t.many,
      messages: Array.from({ length: 45 }, (_, i) => ({ partition: i % 3, key: `k${i % 3}`, value: JSON.stringify({ id: `e${i}`, seq: Math.floor(i / 3) }) })),
    });
    await producer.send({ topic: t.latest, messages: [{ value: JSON.stringify({ id: 'before-start' }) }] });

    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: (l) => logs.push(l) });
  });

  afterAll(async () => {
    await emulator?.stop();
    await producer?.disconnect();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the event has the structure of AWS sample MSK event, field by field', async () => {
    // WHEN a record with key, value and a header is produced
    await producer.send({ topic: t.shape, messages: [{ key: 'recordKey', value: '{"key":"value"}', headers: { headerKey: 'headerValue' } }] });
    // THEN every field of the sample is there, in the same order and of the same type
    const [event] = await waitFor(() => events(fnName('Shape')).length > 0 && events(fnName('Shape')), { description: 'the Shape event log' });
    expect(Object.keys(event)).toEqual(Object.keys(SAMPLE));
    expect(event.eventSource).toBe('aws:kafka');
    expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:/);
    expect(typeof event.bootstrapServers).toBe('string');
    expect(Object.keys(event.records)).toEqual([`${t.shape}-0`]);
    const [record] = event.records[`${t.shape}-0`];
    const [sample] = Object.values<any[]>(SAMPLE.records)[0];
    expect(Object.keys(record)).toEqual(Object.keys(sample));
    for (const k of Object.keys(sample)) expect(typeof record[k]).toBe(typeof sample[k]);
    expect(record).toMatchObject({ topic: t.shape, partition: 0, offset: 0, timestampType: 'CREATE_TIME' });
    expect(Buffer.from(record.key, 'base64').toString()).toBe('recordKey');
    expect(Buffer.from(record.value, 'base64').toString()).toBe('{"key":"value"}');
    expect(record.headers).toEqual(SAMPLE.records['mytopic-0'][0].headers);
  });

  test('batches hold at most BatchSize records, in offset order per partition, and each mapping has its own consumer group', async () => {
    // WHEN both mappings on the same topic have consumed the 45 records produced before start
    const done = (fn: string) => (inv: typeof emulator.invocations) =>
      inv.filter((i) => i.functionName === fn && i.outcome === 'succeeded').reduce((n, i) => n + i.recordCount, 0) >= 45;
    await emulator.waitFor(done(fnName('ManyA')));
    await emulator.waitFor(done(fnName('ManyB')));
    // THEN each mapping got all 45 records
    for (const fn of [fnName('ManyA'), fnName('ManyB')]) {
      const batches = events(fn);
      const records = batches.flatMap((e) => Object.values<any[]>(e.records).flat());
      expect(new Set(records.map((r) => `${r.partition}/${r.offset}`)).size).toBe(45);
      // at most 10 per batch, one partition per batch, offsets increasing per partition
      for (const e of batches) expect(Object.values<any[]>(e.records).flat().length).toBeLessThanOrEqual(10);
      // order per partition: within a batch offsets are contiguous and increasing, and values follow production order
      for (const e of batches) {
        const recs = Object.values<any[]>(e.records).flat();
        expect(recs.map((r) => r.offset)).toEqual(recs.map((_, i) => recs[0].offset + i));
        const seqs = recs.map((r) => JSON.parse(Buffer.from(r.value, 'base64').toString()).seq);
        expect(seqs).toEqual(recs.map((r) => r.offset));
      }
      expect(batches.some((e) => Object.values<any[]>(e.records).flat().length === 10)).toBe(true);
    }
    // and the invocation report carries the CloudEvent ids
    expect(new Set(emulator.invocations.filter((i) => i.functionName === fnName('ManyA')).flatMap((i) => i.eventIds)).size).toBe(45);
  });

  test('functions are isolated (own module state and environment) and kept warm', async () => {
    await new Promise((r) => setTimeout(r, 200)); // let worker stdout drain
    const states = (fn: string) => logs.filter((l) => l.startsWith(`[${fn}] STATE `)).map((l) => JSON.parse(l.slice(l.indexOf('STATE ') + 6)));
    const a = states(fnName('ManyA'));
    const b = states(fnName('ManyB'));
    expect(a.every((s) => s.tag === 'A')).toBe(true);
    expect(b.every((s) => s.tag === 'B')).toBe(true);
    // each execution environment has its own counter: never more than the function's own invocations
    const invA = emulator.invocations.filter((i) => i.functionName === fnName('ManyA'));
    expect(Math.max(...a.map((s) => s.count))).toBeLessThanOrEqual(invA.length);
    expect(Math.max(...a.map((s) => s.count))).toBeGreaterThan(1);
    expect(invA.filter((i) => !i.coldStart).length).toBeGreaterThan(0);
  });

  test('a function stays warm between invocations: module state survives, only the first start is cold', async () => {
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await emulator.invoke(fnName('Direct'), { n: i }));
    expect(results.map((r) => (r.result as any).count)).toEqual([1, 2, 3]);
    expect(results.map((r) => r.coldStart)).toEqual([true, false, false]);
    // The template gives this function no Kafka variable: local mode invents none. DynamoDB is
    // reached through the IAM front (a loopback listener of its own), not DynamoDB Local directly.
    const env = (results[0].result as any).env;
    expect(env).toEqual({ cluster: null, region: 'us-east-1', ddb: emulator.functions.find((f) => f.name === fnName('Direct'))!.environment.AWS_ENDPOINT_URL_DYNAMODB });
    expect(env.ddb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.ddb).not.toBe(serviceEndpoints().dynamodbEndpoint);
  });

  test('GIVEN an assembly from a plain `new App()` WHEN a function is invoked by its construct path THEN it is that function', async () => {
    // The assembly carries no aws:cdk:path (synthToDir is a plain App): paths come from the manifest's metadata.
    const stack = emulator.functions.find((f) => f.logicalId.startsWith('Direct'))!.stack;
    const byPath = await emulator.invoke(`${stack}/Direct`, { n: 'path' });
    expect(byPath).toMatchObject({ outcome: 'succeeded', result: { tag: 'D' } });
    await expect(emulator.invoke(`${stack}/Nope`, {})).rejects.toThrow(`No function '${stack}/Nope' in the assembly`);
  });

  test('LATEST starts after the records present at start; TRIM_HORIZON from the beginning', async () => {
    await producer.send({ topic: t.latest, messages: [{ value: JSON.stringify({ id: 'after-start' }) }] });
    await emulator.waitFor((inv) => inv.find((i) => i.functionName === fnName('Latest')));
    const ids = emulator.invocations.filter((i) => i.functionName === fnName('Latest')).flatMap((i) => i.eventIds);
    expect(ids).toEqual(['after-start']);
  });

  test('records produced within the batching window arrive in one batch', async () => {
    for (let i = 0; i < 4; i++) await producer.send({ topic: t.window, messages: [{ value: JSON.stringify({ id: `w${i}` }) }] });
    const inv = await emulator.waitFor((all) => all.find((i) => i.functionName === fnName('Window')));
    expect(inv.recordCount).toBe(4);
    expect(inv.eventIds).toEqual(['w0', 'w1', 'w2', 'w3']);
  });

  test('filter criteria: only matching records invoke, filtered records are committed', async () => {
    await producer.send({
      topic: t.filter,
      messages: [
        { value: JSON.stringify({ id: 'f1', type: 'post.published' }) },
        { value: JSON.stringify({ id: 'f2', type: 'post.deleted' }) },
        { value: 'not json at all' },
        { value: JSON.stringify({ id: 'f3', type: 'post.deleted', priority: 7 }) },
        { value: JSON.stringify({ id: 'f4', type: 'post.deleted', priority: 1 }) },
      ],
    });
    await emulator.waitFor((inv) => inv.filter((i) => i.functionName === fnName('Filter')).flatMap((i) => i.eventIds).length >= 2);
    const admin = kafka.admin();
    await admin.connect();
    const deadline = Date.now() + 10000;
    let committed = '-1';
    while (Date.now() < deadline) {
      const [topic] = await admin.fetchOffsets({ groupId: `${id}-filter`, topics: [t.filter] });
      committed = topic.partitions[0].offset;
      if (committed === '5') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await admin.disconnect();
    expect(emulator.invocations.filter((i) => i.functionName === fnName('Filter')).flatMap((i) => i.eventIds)).toEqual(['f1', 'f3']);
    expect(committed).toBe('5');
  });
});
