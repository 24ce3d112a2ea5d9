import * as fs from 'fs';
import { App } from 'aws-cdk-lib';
import type { Producer } from 'kafkajs';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { Emulator } from '../../lib/local/emulator';
import { postEffectTables, readPostEffects, localDocumentClient } from '../../lib/local/scenarios/posts';
import type { LocalServices } from '../../lib/local/services';
import { buildApp } from '../../lib/examples/app';
import { POSTS_TOPIC } from '../../lib/examples/post-publisher-stack';
import { mskEvent } from '../runtime/msk-event-builder';
import { kafkaClient, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { readTopic, startOwnServices, type TopicRecord } from './support';

/**
 * Malformed records into every consumer of the example app (all stacks of `buildApp`), on
 * services of this suite's own. Each bad record must give a clear logged error and land in the
 * consumer's dead-letter topic, and the emulator must keep processing the records after it.
 */
describe('bad input never stops a consumer', () => {
  let services: LocalServices;
  let assemblyDir: string;
  let emulator: Emulator;
  let producer: Producer;
  const logs: string[] = [];

  beforeAll(async () => {
    services = await startOwnServices();
    assemblyDir = synthToDir((app: App) => void buildApp(app, { nag: false, simulatedProvider: true }));
    emulator = await Emulator.start({ assemblyDir, services, onLog: (line) => void logs.push(line) });
    producer = kafkaClient().producer({ allowAutoTopicCreation: false });
    await producer.connect();
  }, 240_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await emulator?.stop().catch(() => undefined);
    await services?.stop();
    if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
  }, 60_000);

  /** Every function that an event source mapping feeds, with its topic and dead-letter topic. */
  const consumers = () => {
    const seen = new Set<string>();
    return emulator.mappings
      .filter((m) => !seen.has(m.functionName) && seen.add(m.functionName))
      .map((m) => {
        const fn = emulator.functions.find((f) => f.name === m.functionName)!;
        return { name: fn.name, topic: m.topics[0], deadLetterTopic: fn.environment.DEAD_LETTER_TOPIC };
      });
  };
  const deadLettered = async (topic: string, predicate: (r: TopicRecord) => boolean, count: number) =>
    waitFor(async () => {
      const found = (await readTopic(services.kafkaBrokers, topic)).filter(predicate);
      return found.length >= count && found;
    }, { timeoutMs: 60_000, intervalMs: 500, description: `${count} record(s) in ${topic}` });

  test('GIVEN every consumer of the example app WHEN invoked with malformed records THEN each is logged, dead-lettered, and the batch succeeds', async () => {
    const list = consumers();
    expect(list.length).toBeGreaterThanOrEqual(8);
    for (const c of list) {
      // GIVEN: what a broken producer can put in a record, at offsets no real record has
      expect(c.deadLetterTopic).toBeTruthy();
      const base = 1_000_000 + Math.floor(Math.random() * 1_000_000);
      const valueOf = (v: unknown) => Buffer.from(JSON.stringify(v));
      const bad = [
        { why: 'invalid JSON', value: Buffer.from('{"specversion":"1.0",') },
        { why: 'not a CloudEvent', value: valueOf({ hello: 'world' }) },
        { why: 'missing id', value: valueOf({ specversion: '1.0', source: 'urn:x', type: 'post.published', data: {} }) },
        { why: 'wrongly typed type', value: valueOf({ specversion: '1.0', id: 'x', source: 'urn:x', type: 42, data: {} }) },
      ];
      const event = mskEvent(bad.map((b, i) => ({ topic: c.topic, partition: 0, offset: base + i, key: 'bad', value: b.value })));
      // Invalid base64 cannot travel through Kafka: only a hand-made event can carry it.
      event.records[`${c.topic}-0`].push({ ...event.records[`${c.topic}-0`][0], offset: base + bad.length, value: '!!not base64!!' });

      // WHEN
      const res = await emulator.invoke(c.name, event);

      // THEN: the batch succeeds (nothing for the mapping to retry) and every record is dead-lettered
      expect({ name: c.name, outcome: res.outcome, result: res.result }).toEqual({ name: c.name, outcome: 'succeeded', result: { batchItemFailures: [] } });
      const offsets = Array.from({ length: bad.length + 1 }, (_, i) => String(base + i));
      const dead = await deadLettered(c.deadLetterTopic, (r) => r.headers['x-source-topic'] === c.topic && offsets.includes(r.headers['x-source-offset']), offsets.length);
      for (const r of dead) {
        // Bad bytes in the event itself (base64) are named by the decoder, bad values by the envelope check.
        expect(r.headers['x-error-type']).toBe(r.headers['x-source-offset'] === String(base + bad.length) ? 'MalformedKafkaEventError' : 'InvalidEventError');
        expect(r.headers['x-attempts']).toBe('0');
        expect(r.headers['x-error-message']).toMatch(/\S/);
      }
      expect(logs.filter((l) => l.startsWith(`[${c.name}]`) && l.includes('record is not a valid CloudEvent')).length).toBeGreaterThanOrEqual(offsets.length);
    }
  }, 300_000);

  test('GIVEN the posts topic WHEN bad records precede a good post under the same key THEN bad ones are dead-lettered or filtered and the good one takes effect in every consumer', async () => {
    // GIVEN
    const run = Date.now().toString(36);
    const key = `post-${run}`;
    const post = (data: Record<string, unknown>) => createEvent({ type: 'post.published', source: 'urn:test:faults', subject: key, data });
    const good = { postId: `${key}-good`, authorId: `author-${run}`, title: 'A good post', category: 'jobs', publishedAt: new Date().toISOString() };
    const records: Array<{ why: string; value: Buffer; deadLettered: boolean }> = [
      { why: 'invalid JSON (filtered out: the filter sees a plain string)', value: Buffer.from('not json'), deadLettered: false },
      { why: 'unknown event type (filtered out)', value: encodeEvent(createEvent({ type: 'post.deleted', source: 'urn:test:faults', subject: key, data: { postId: key } })), deadLettered: false },
      { why: 'not a CloudEvent, but typed like one', value: Buffer.from(JSON.stringify({ type: 'post.published', postId: key })), deadLettered: true },
      { why: 'missing authorId', value: encodeEvent(post({ postId: `${key}-a`, title: 't' })), deadLettered: true },
      { why: 'wrongly typed postId', value: encodeEvent(post({ postId: 42, authorId: 'a', title: 't' })), deadLettered: true },
      { why: 'huge value (900 KB)', value: encodeEvent(post({ postId: `${key}-huge`, authorId: 'a', title: 'x'.repeat(900 * 1024) })), deadLettered: true },
    ];

    // WHEN
    for (const r of records) await producer.send({ topic: POSTS_TOPIC, acks: -1, messages: [{ key, value: r.value }] });
    await producer.send({ topic: POSTS_TOPIC, acks: -1, messages: [{ key, value: encodeEvent(post(good)) }] });

    // THEN: the good post took effect in all three consumers, behind the bad records of its partition
    const doc = localDocumentClient(services.dynamodbEndpoint);
    const tables = postEffectTables(emulator, 'MskPipelines-PostConsumers');
    const effects = await waitFor(async () => {
      const e = await readPostEffects(doc, tables, good);
      return e.reward && e.pinned && e.statistics && e;
    }, { timeoutMs: 90_000, intervalMs: 500, description: 'the good post took effect in every consumer' });
    expect(effects.beans).toBe(58);
    expect(Number(effects.statistics!.postsCount)).toBe(1);
    doc.destroy();
    const expected = records.filter((r) => r.deadLettered).length;
    for (const c of consumers().filter((x) => x.topic === POSTS_TOPIC)) {
      const dead = await deadLettered(c.deadLetterTopic, (r) => r.key === key, expected);
      expect(dead).toHaveLength(expected);
      expect(dead.map((r) => r.value!.length).sort((a, b) => b - a)[0]).toBeGreaterThan(900 * 1024);
    }
  }, 240_000);
});
