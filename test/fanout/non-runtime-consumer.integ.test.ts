import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import type { Consumer, Producer } from 'kafkajs';
import { KafkaCluster } from '../../lib/cluster';
import { KafkaConsumer, LatencyProfile } from '../../lib/consumer';
import { Emulator } from '../../lib/local/emulator';
import { KafkaTopic } from '../../lib/topic';
import { RECORDER } from '../local/fixtures/emulator-app';
import { kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';

/**
 * What docs/fanout.md says about a consumer that does not use the runtime's per-record
 * handling (here: a handler that throws when one record of its batch is bad): in the economical
 * profile Lambda retries the whole batch, then dead-letters every record of it; in the
 * low-latency profile bisect isolates the bad record.
 */
describe('a consumer not built on the runtime, with a poison record', () => {
  const id = uniqueName('nrc').replace(/[^a-z0-9-]/g, '');
  const topics = { economical: `${id}-eco`, lowLatency: `${id}-low` };
  let dir: string;
  let emulator: Emulator;
  let producer: Producer;
  const readers: Consumer[] = [];

  beforeAll(async () => {
    dir = synthToDir((app) => {
      const stack = new Stack(app, `NonRuntime${id.replace(/-/g, '')}`);
      const cluster = new KafkaCluster(stack, 'Cluster');
      for (const [name, latency] of [['economical', LatencyProfile.ECONOMICAL], ['lowLatency', LatencyProfile.LOW_LATENCY]] as const) {
        const topic = new KafkaTopic(stack, `${name}Topic`, { cluster, topicName: topics[name], partitions: 1 });
        new KafkaConsumer(stack, name, { cluster, topic, entry: RECORDER, latency, batchSize: 10, consumerName: 'plain', consumerGroupId: `${topics[name]}.plain` });
      }
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
    producer = kafkaClient().producer();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(readers.map((r) => r.disconnect()));
    await producer?.disconnect();
    await emulator?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Ids of the records on a consumer's dead-letter topic (from the failure records' payloads). */
  const deadLettered = async (topic: string): Promise<string[]> => {
    const ids: string[] = [];
    const reader = kafkaClient().consumer({ groupId: uniqueName('dlt-reader') });
    readers.push(reader);
    await reader.connect();
    await reader.subscribe({ topic: `${topic}.plain.dlt`, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const failure = JSON.parse(message.value!.toString());
        for (const r of Object.values<Array<{ value: string }>>(failure.payload.records).flat()) ids.push(JSON.parse(Buffer.from(r.value, 'base64').toString()).id);
      },
    });
    return ids;
  };
  const batch = (prefix: string) => [
    { key: 'k', value: JSON.stringify({ id: `${prefix}-good-1` }) },
    { key: 'k', value: JSON.stringify({ id: `${prefix}-poison`, fail: true }) },
    { key: 'k', value: JSON.stringify({ id: `${prefix}-good-2` }) },
  ];

  const invocationsOf = (name: string) => emulator.invocations.filter((i) => i.functionName.includes(name));

  test('GIVEN the economical profile WHEN one record of a batch makes the handler throw THEN Lambda retries the whole batch without end: nothing is dead-lettered and the partition is blocked', async () => {
    // GIVEN / WHEN three records arriving in one batch, the second one poison
    const ids = await deadLettered(topics.economical);
    await producer.send({ topic: topics.economical, messages: batch('eco') });
    // AND a good record behind them on the same partition
    await producer.send({ topic: topics.economical, messages: [{ key: 'k', value: JSON.stringify({ id: 'eco-later' }) }] });
    // THEN the same batch fails again and again: on-demand pollers have no retry limit, no
    // bisect and no on-failure destination (provisioned-mode controls), so nothing reaches the
    // dead-letter topic and the records behind the batch wait
    await emulator.waitFor((invs) => invs.filter((i) => i.functionName.includes('economical')).length >= 5 || undefined, 60_000);
    const invocations = invocationsOf('economical');
    expect(invocations.every((i) => i.outcome === 'failed')).toBe(true);
    expect(invocations[0].recordCount).toBeGreaterThanOrEqual(3);
    expect(ids).toEqual([]);
  });

  test('GIVEN the low-latency profile (bisect) WHEN the same happens THEN only the poison record is dead-lettered', async () => {
    const ids = await deadLettered(topics.lowLatency);
    await producer.send({ topic: topics.lowLatency, messages: batch('low') });
    await waitFor(() => ids.length >= 1, { timeoutMs: 90_000, description: 'the poison record dead-lettered' });
    // the good records are processed once bisect has isolated the poison one
    await emulator.waitFor((invs) => invs.filter((i) => i.functionName.includes('lowLatency') && i.outcome === 'succeeded').reduce((n, i) => n + i.recordCount, 0) >= 2 || undefined, 60_000);
    expect(ids).toEqual(['low-poison']);
  });
});
