import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';
import { Admin, Kafka, Producer } from 'kafkajs';
import { countDeadLetters, listDeadLetters, redrive, redriveGroupId } from '../../lib/dead-letter/redrive';
import { readTopic } from '../../lib/dead-letter/topic-reader';
import { kafkaDestinationRecord } from '../../lib/local/emulator/failure-record';
import { createTopics, kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';

// Redrive against the real broker: dead letters of both shapes go back to their source topic
// once each, also when the redrive is SIGKILLed midway and run again, or left a transaction open.
const ROOT = path.resolve(__dirname, '../..');
let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  kafka = kafkaClient();
  admin = kafka.admin();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
});

afterAll(async () => {
  await Promise.all([admin?.disconnect(), producer?.disconnect()]);
});

/** A source topic and its dead-letter topic holding `count` runtime dead letters (ids `ev-0`…), in 2 partitions. */
async function deadLetters(count: number): Promise<{ source: string; dlt: string }> {
  const source = uniqueName('dlq-source');
  const dlt = `${source}.consumer.dlt`;
  await createTopics(kafka, [source, dlt], 2);
  const messages = Array.from({ length: count }, (_, i) => ({
    key: `key-${i}`,
    partition: i % 2,
    value: JSON.stringify({ specversion: '1.0', id: `ev-${i}`, type: 'post.published', source: 'test', data: { i } }),
    headers: {
      'content-type': 'application/cloudevents+json',
      'x-error-message': `boom ${i}`,
      'x-error-type': 'PromotionRejectedError',
      'x-attempts': '3',
      'x-source-topic': source,
      'x-source-partition': String(i % 2),
      'x-source-offset': String(Math.floor(i / 2)),
    },
  }));
  await producer.send({ topic: dlt, acks: -1, messages });
  return { source, dlt };
}

/**
 * Event ids on `topic` as a read-committed consumer sees them, with their headers, once at least
 * `expected` are there: a transaction's commit returns before its markers are written, and until
 * then the topic's committed end (what ListOffsets answers a read-committed client) is before it.
 */
async function committedOn(topic: string, expected: number) {
  const read = () => readTopic(kafka, admin, topic);
  const records = await waitFor(async () => {
    const r = await read();
    return r.length >= expected && r;
  }, { timeoutMs: 20_000, intervalMs: 200, description: `${expected} committed records on ${topic}` });
  return records.map(({ message }) => ({
    id: JSON.parse(message.value!.toString()).id as string,
    key: message.key?.toString(),
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
  }));
}

function cli(args: string[]): ChildProcess {
  // node itself with tsx's loader, not the tsx wrapper: SIGKILL must reach the process that works.
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BROKERS: serviceEndpoints().kafkaBrokers },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('dlq redrive', () => {
  test('GIVEN 40 dead letters WHEN the redrive command (2 per transaction) is SIGKILLed after 3 records and run again THEN each record is on the source topic exactly once', async () => {
    // GIVEN
    const { source, dlt } = await deadLetters(40);
    const args = ['dlq', 'redrive', 'consumer', '--dead-letter-topic', dlt, '--all', '--batch-size', '2'];
    // WHEN the first run is killed after its third committed record
    const first = cli(args);
    const lines: string[] = [];
    await new Promise<void>((resolve) => {
      readline.createInterface({ input: first.stdout! }).on('line', (line) => {
        lines.push(line);
        if (lines.filter((l) => l.startsWith('redriven')).length === 3) first.kill('SIGKILL');
      });
      first.on('exit', () => resolve());
    });
    const killedAfter = lines.filter((l) => l.startsWith('redriven')).length;
    // AND the command is run again to the end
    const second = cli(args);
    let out = '';
    second.stdout!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    // THEN the first run was interrupted, the second finished the rest
    expect(first.signalCode).toBe('SIGKILL');
    expect(killedAfter).toBeLessThan(40);
    expect(code).toBe(0);
    const redrivenBySecond = out.split('\n').filter((l) => l.startsWith('redriven')).length;
    expect(redrivenBySecond).toBeGreaterThan(0);
    // AND every record is on the source topic once, with its key and headers and a redrive count
    const seen = await committedOn(source, 40);
    expect(seen.map((s) => s.id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `ev-${i}`).sort());
    const ev7 = seen.find((s) => s.id === 'ev-7')!;
    expect(ev7.key).toBe('key-7');
    expect(ev7.headers).toEqual({ 'content-type': 'application/cloudevents+json', 'x-redrive-count': '1' });
    // AND the dead-letter topic still holds them all, every one handled
    const listing = await listDeadLetters(kafka, admin, dlt);
    expect(listing.records.map((r) => r.state)).toEqual(Array(40).fill('handled'));
  }, 120_000);

  test('GIVEN a killed redrive left a transaction open WHEN redrive runs THEN the open transaction is aborted and nothing is doubled', async () => {
    // GIVEN a zombie: the redrive's transactional id with a record sent and never committed
    const { source, dlt } = await deadLetters(2);
    const zombie = kafka.producer({ transactionalId: redriveGroupId(dlt), idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    const txn = await zombie.transaction();
    await txn.send({ topic: source, messages: [{ key: 'key-0', value: JSON.stringify({ id: 'ev-0' }) }] });
    // WHEN
    const result = await redrive({ kafka, admin, deadLetterTopic: dlt });
    // THEN
    expect(result).toEqual({ redriven: 2, passedOver: 0, left: 0, refused: [] });
    expect((await committedOn(source, 2)).map((s) => s.id).sort()).toEqual(['ev-0', 'ev-1']);
    await zombie.disconnect().catch(() => undefined);
  }, 60_000);

  test('GIVEN a Lambda on-failure record WHEN redriven THEN the record inside goes back with its key, value and headers', async () => {
    // GIVEN the record as the emulator's Lambda on-failure destination writes it
    const source = uniqueName('dlq-source');
    const dlt = `${source}.dlt`;
    await createTopics(kafka, [source, dlt], 1);
    const failed = { topic: source, partition: 0, offset: 41, timestamp: Date.now(), key: Buffer.from('order-1'), value: Buffer.from(JSON.stringify({ id: 'ev-lambda' })), headers: [['trace', Buffer.from('abc')]] as Array<[string, Buffer]> };
    const doc = kafkaDestinationRecord({ eventSource: 'aws:kafka', bootstrapServers: 'b' }, { requestId: 'r', functionArn: 'arn:fn', condition: 'RetriesExhausted', approximateInvokeCount: 11, batchSize: 1 }, failed);
    await producer.send({ topic: dlt, messages: [{ key: 'order-1', value: JSON.stringify(doc) }] });
    // WHEN
    const listing = await listDeadLetters(kafka, admin, dlt);
    const result = await redrive({ kafka, admin, deadLetterTopic: dlt });
    // THEN
    expect(listing.records[0].record).toMatchObject({ writer: 'lambda', reason: 'RetriesExhausted, function error Unhandled', attempts: 11, source: { topic: source, partition: 0, offset: 41 } });
    expect(result.redriven).toBe(1);
    expect(await committedOn(source, 1)).toEqual([{ id: 'ev-lambda', key: 'order-1', headers: { trace: 'abc', 'x-redrive-count': '1' } }]);
  }, 60_000);

  test('GIVEN a batch size out of range WHEN redriving THEN the error names it, the range and the value', async () => {
    const { dlt } = await deadLetters(1);
    await expect(redrive({ kafka, admin, deadLetterTopic: dlt, batchSize: 0 })).rejects.toThrow('batchSize must be an integer from 1 to 10000, got 0');
  }, 60_000);

  test('GIVEN four pending dead letters in one partition WHEN only the third is chosen THEN the first two are passed over and the fourth stays pending', async () => {
    // GIVEN
    const source = uniqueName('dlq-source');
    const dlt = `${source}.c.dlt`;
    await createTopics(kafka, [source, dlt], 1);
    await producer.send({
      topic: dlt,
      messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: JSON.stringify({ id: `ev-${i}` }), headers: { 'x-source-topic': source, 'x-error-message': 'x' } })),
    });
    // WHEN
    const result = await redrive({ kafka, admin, deadLetterTopic: dlt, select: (r) => r.offset === 2 });
    // THEN
    expect(result).toEqual({ redriven: 1, passedOver: 2, left: 1, refused: [] });
    expect((await committedOn(source, 1)).map((s) => s.id)).toEqual(['ev-2']);
    expect((await listDeadLetters(kafka, admin, dlt)).records.map((r) => r.state)).toEqual(['handled', 'handled', 'handled', 'pending']);
    expect(await countDeadLetters(admin, dlt)).toEqual({ total: 4, pending: 1 });
  }, 60_000);
});
