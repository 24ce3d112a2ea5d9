import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

// The runtime reads its configuration from the environment, as a function does.
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
process.env.KAFKA_BOOTSTRAP_SERVERS = brokers;
process.env.KAFKA_AUTH = 'none';
process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

import { closeProducer, createEvent, decodeEvent, headerValue, kafkaRecordHandler, onceByEventId, publish, type KafkaRecord } from '../../lambdas/runtime';
import { encodeEvent } from '../../lambdas/runtime/cloudevents';
import { getDynamoClient } from '../../lambdas/runtime/dynamo';
import { getProducer } from '../../lambdas/runtime/producer';
import { mskEvent } from './msk-event-builder';

const run = randomUUID().slice(0, 8);
const kafka = new Kafka({ clientId: `h2-runtime-test-${run}`, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();

async function createTopic(name: string, partitions = 1): Promise<string> {
  await admin.createTopics({ topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  return name;
}

async function readAll(topic: string, count: number): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `h2-read-${topic}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${messages.length}/${count} messages from ${topic}`)), 30000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
        if (messages.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return messages;
}

const event = (n: number, subject?: string) => createEvent({ type: 'test.happened', source: 'urn:test', subject, data: { n } });

beforeAll(async () => admin.connect());
afterAll(async () => {
  await closeProducer();
  await admin.disconnect();
});

describe('publish', () => {
  test('GIVEN three events WHEN published THEN a consumer reads them back, keyed by subject or id, with the content type', async () => {
    // GIVEN
    const topic = await createTopic(`h2-publish-${run}`);
    const events = [event(1, 'post-1'), event(2), event(3, 'post-1')];
    // WHEN
    await publish(topic, events);
    // THEN
    const messages = await readAll(topic, 3);
    expect(messages.map((m) => decodeEvent(m.value))).toEqual(events);
    expect(messages.map((m) => m.key?.toString())).toEqual(['post-1', events[1].id, 'post-1']);
    expect(messages.every((m) => m.headers?.['content-type']?.toString() === 'application/cloudevents+json')).toBe(true);
  });

  test('GIVEN two calls WHEN getProducer is awaited THEN the same connected producer is reused', async () => {
    const first = await getProducer();
    await publish(await createTopic(`h2-reuse-${run}`), event(1), { key: 'k', headers: { 'x-test': 'yes' } });
    expect(await getProducer()).toBe(first);
  });

  test('GIVEN a topic that does not exist WHEN published THEN the error reaches the caller', async () => {
    await expect(publish(`h2-missing-${run}`, event(1))).rejects.toThrow();
  });
});

describe('kafkaRecordHandler', () => {
  test('GIVEN a record that always fails and one that is no CloudEvent WHEN handled THEN both land on the dead-letter topic with error headers and the others succeed', async () => {
    // GIVEN
    const deadLetterTopic = await createTopic(`h2-dlt-${run}`);
    const calls: string[] = [];
    const handler = kafkaRecordHandler<{ n: number }>(async (e, ctx) => {
      calls.push(`${e.data.n}#${ctx.attempt}`);
      if (e.data.n === 2) throw new TypeError('cannot award beans');
    }, { maxAttempts: 3, backoffMs: 5, deadLetterTopic });
    const failing = encodeEvent(event(2));
    const stdout = jest.spyOn(process.stdout, 'write');
    process.env.POWERTOOLS_SERVICE_NAME = 'recruitment';
    // WHEN
    const result = await handler(mskEvent([
      { topic: 'posts', partition: 0, offset: 10, key: 'p1', value: encodeEvent(event(1)) },
      { topic: 'posts', partition: 0, offset: 11, key: 'p2', value: failing, headers: { trace: 'abc' } },
      { topic: 'posts', partition: 0, offset: 12, key: 'p3', value: encodeEvent(event(3)) },
      { topic: 'posts', partition: 1, offset: 4, key: 'p4', value: '{"not":"an event"}' },
      { topic: 'posts', partition: 1, offset: 5, key: 'p5', value: encodeEvent(event(5)) },
    ]));
    // THEN
    expect(result).toEqual({ batchItemFailures: [] });
    // one EMF line per dead letter, in the namespace and dimension KafkaConsumer's alarm watches
    const emf = stdout.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"CloudWatchMetrics"')).map((line) => JSON.parse(line));
    stdout.mockRestore();
    delete process.env.POWERTOOLS_SERVICE_NAME;
    expect(emf).toHaveLength(2);
    expect(emf[0]).toEqual({
      _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'MskPipelines', Dimensions: [['service']], Metrics: [{ Name: 'DeadLetteredRecords', Unit: 'Count' }] }] },
      service: 'recruitment',
      DeadLetteredRecords: 1,
    });
    expect(calls.filter((c) => c.startsWith('2#'))).toEqual(['2#1', '2#2', '2#3']);
    expect(calls.filter((c) => !c.startsWith('2#')).sort()).toEqual(['1#1', '3#1', '5#1']);
    const dead = await readAll(deadLetterTopic, 2);
    const byKey = Object.fromEntries(dead.map((m) => [m.key?.toString(), m]));
    const h = (key: string, name: string) => byKey[key].headers?.[name]?.toString();
    expect(byKey.p2.value).toEqual(failing);
    expect([h('p2', 'trace'), h('p2', 'x-error-type'), h('p2', 'x-error-message'), h('p2', 'x-attempts')]).toEqual(['abc', 'TypeError', 'cannot award beans', '3']);
    expect([h('p2', 'x-source-topic'), h('p2', 'x-source-partition'), h('p2', 'x-source-offset')]).toEqual(['posts', '0', '11']);
    expect(byKey.p4.value?.toString()).toBe('{"not":"an event"}');
    expect([h('p4', 'x-error-type'), h('p4', 'x-attempts'), h('p4', 'x-source-offset')]).toEqual(['InvalidEventError', '0', '4']);
    expect(h('p4', 'x-error-message')).toMatch(/specversion/);
  });

  test('GIVEN the dead-letter topic cannot be written WHEN a record fails THEN it and the later records of its partition are reported', async () => {
    const handler = kafkaRecordHandler(async (e) => {
      if ((e.data as { n: number }).n === 1) throw new Error('always');
    }, { maxAttempts: 1, deadLetterTopic: `h2-no-such-dlt-${run}`, reportBatchItemFailures: true });
    const result = await handler(mskEvent([
      { topic: 'posts', partition: 0, offset: 1, value: encodeEvent(event(1)) },
      { topic: 'posts', partition: 0, offset: 2, value: encodeEvent(event(2)) },
      { topic: 'posts', partition: 1, offset: 7, value: encodeEvent(event(3)) },
    ]));
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'posts-0', offset: 1 } },
      { itemIdentifier: { partition: 'posts-0', offset: 2 } },
    ]);
  });
});

describe('onceByEventId', () => {
  test('GIVEN the same event delivered twice WHEN handled THEN the effect happens once', async () => {
    // GIVEN
    const table = `h2-idempotency-${run}`;
    await getDynamoClient().send(new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    const effects: number[] = [];
    const handler = kafkaRecordHandler(onceByEventId<{ n: number }>(async (e) => {
      effects.push(e.data.n);
    }, { table }), { deadLetterTopic: 'unused' });
    const duplicate = encodeEvent(event(42));
    // WHEN
    const first = await handler(mskEvent([
      { topic: 'posts', partition: 0, offset: 1, value: duplicate },
      { topic: 'posts', partition: 0, offset: 2, value: encodeEvent(event(43)) },
    ]));
    const redelivered = await handler(mskEvent([{ topic: 'posts', partition: 0, offset: 1, value: duplicate }]));
    // THEN
    expect([first.batchItemFailures, redelivered.batchItemFailures]).toEqual([[], []]);
    expect(effects).toEqual([42, 43]);
  });
});

// Keeps the KafkaRecord/headerValue exports exercised from the public index.
test('GIVEN a record from the index WHEN reading a header THEN it decodes', () => {
  const record: KafkaRecord = { topic: 't', partition: 0, offset: 0, timestamp: 0, timestampType: 'CREATE_TIME', key: null, value: null, headers: [{ a: Buffer.from('b') }] };
  expect(headerValue(record, 'a')).toBe('b');
});
