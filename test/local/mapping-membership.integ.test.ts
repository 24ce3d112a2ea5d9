import * as fs from 'fs';
import { Duration, Stack } from 'aws-cdk-lib';
import { Admin, ConfigResourceTypes, Kafka, Producer } from 'kafkajs';
import { Emulator } from '../../lib/local/emulator';
import type { LogEntry } from '../../lib/local/emulator/logger';
import { kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { kafkaMapping, kafkaTopic, recorderFunction } from './fixtures/emulator-app';

/**
 * The emulated mapping's consumer group membership: an invocation longer than the session
 * timeout keeps the member (heartbeats while the batch is in flight), and a consumer that kafkajs
 * gives up on (a crash it does not restart) is replaced, so the mapping keeps delivering.
 */
describe('emulated Kafka event source mapping: consumer group membership', () => {
  const id = uniqueName('esmm');
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const dirs: string[] = [];
  const emulators: Emulator[] = [];

  const start = async (dir: string, logs: LogEntry[], options: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number } = {}) => {
    const emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, onLogEntry: (e) => logs.push(e), retryBackoffMs: 20, ...options });
    emulators.push(emulator);
    return emulator;
  };
  const committed = async (groupId: string, topic: string) => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions[0].offset;
  const invoked = (e: Emulator, eventId: string) => e.invocations.filter((i) => i.eventIds.includes(eventId));

  beforeAll(async () => {
    kafka = kafkaClient();
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const e of emulators) await e.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  test('GIVEN a session timeout of 6 s WHEN an invocation runs 10 s THEN the member keeps its partition: the record is processed once and committed once', async () => {
    // GIVEN a mapping whose function takes longer than the consumer group's session timeout
    const topic = `${id}-slow`;
    const groupId = `${id}-slow`;
    const dir = synthToDir((app) => {
      const stack = new Stack(app, `Slow${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'SlowTopic', topic, 1);
      kafkaMapping(stack, 'SlowMapping', recorderFunction(stack, 'Slow', { timeout: Duration.seconds(20) }), { topic, batchSize: 1, groupId });
    });
    dirs.push(dir);
    const logs: LogEntry[] = [];
    const emulator = await start(dir, logs, { sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000 });

    // WHEN a 10 s record is followed by a quick one on the same partition
    await producer.send({ topic, messages: [{ value: JSON.stringify({ id: 'long', sleepMs: 10_000 }) }, { value: JSON.stringify({ id: 'next' }) }] });

    // THEN the quick record comes next; an evicted member would see its commit refused and get
    // the long record again instead
    await emulator.waitFor((all) => {
      if (invoked(emulator, 'long').length > 1) throw new Error(`the long record was delivered again: ${JSON.stringify(logs)}`);
      return all.find((i) => i.eventIds.includes('next'));
    }, 40_000);
    await emulator.waitForIdle({ quietMs: 500 });
    expect(invoked(emulator, 'long').map((i) => [i.outcome, i.attempt])).toEqual([['succeeded', 1]]);
    expect(invoked(emulator, 'next').map((i) => i.outcome)).toEqual(['succeeded']);
    expect(await committed(groupId, topic)).toBe('2');
    expect(logs.filter((e) => e.level !== 'info')).toEqual([]);
  }, 55_000);

  test('GIVEN a dead-letter topic that refuses the failure record WHEN kafkajs gives up on the consumer THEN a new one takes over and, once the topic accepts it, the mapping delivers on', async () => {
    // GIVEN a mapping that sends a failing record to a dead-letter topic whose size limit is
    // below the failure record (which carries the record base64-encoded: a third larger)
    const topic = `${id}-src`;
    const dlt = `${id}-src-dlt`;
    const groupId = `${id}-src`;
    const dir = synthToDir((app) => {
      const stack = new Stack(app, `Crash${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'SourceTopic', topic, 1);
      kafkaTopic(stack, 'DeadLetterTopic', dlt, 1, { 'max.message.bytes': '2048' });
      kafkaMapping(stack, 'CrashMapping', recorderFunction(stack, 'Crash'), { topic, batchSize: 1, groupId, maximumRetryAttempts: 0, destination: `kafka://${dlt}` });
    });
    dirs.push(dir);
    const logs: LogEntry[] = [];
    const emulator = await start(dir, logs);
    const crashes = () => logs.filter((e) => e.message === 'consumer crashed');
    const replaced = () => crashes().filter((e) => e.fields.restartBy === 'runner').length;

    // WHEN a poison record of 1.8 KB is produced, then a good one
    await producer.send({ topic, messages: [{ value: JSON.stringify({ id: 'poison', fail: true, pad: 'x'.repeat(1800) }) }, { value: JSON.stringify({ id: 'after' }) }] });
    // the broker refuses the failure record (MESSAGE_TOO_LARGE, not retriable): kafkajs stops the
    // consumer without restarting it, and the runner replaces it, which gets the record again
    await waitFor(() => replaced() >= 2 && logs.some((e) => e.message === 'consumer restarted'), { timeoutMs: 30_000, description: 'the consumer crashed twice and was replaced' });
    expect(crashes()[0]).toMatchObject({
      level: 'warn', namespace: 'emulator',
      fields: { mapping: expect.stringMatching(/\/CrashMapping/), error: expect.stringMatching(/^KafkaJSNonRetriableError: .*max message size/), restartBy: 'runner', restartInMs: 1000 },
    });
    expect(invoked(emulator, 'after')).toEqual([]);
    // and the operator raises the dead-letter topic's limit
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: dlt, configEntries: [{ name: 'max.message.bytes', value: '1048588' }] }] });

    // THEN the mapping dead-letters the poison record and delivers the next one
    await emulator.waitFor((all) => all.find((i) => i.eventIds.includes('after')), 30_000);
    await emulator.waitForIdle({ quietMs: 500 });
    expect(invoked(emulator, 'after').map((i) => i.outcome)).toEqual(['succeeded']);
    expect(invoked(emulator, 'poison').length).toBeGreaterThanOrEqual(2);
    expect(invoked(emulator, 'poison').every((i) => i.outcome === 'failed')).toBe(true);
    expect(await committed(groupId, topic)).toBe('2');
    const [offsets] = await admin.fetchTopicOffsets(dlt);
    expect(offsets.high).toBe('1'); // one failure record: the refused sends wrote nothing
  }, 55_000);
});
