import { randomUUID } from 'crypto';
import * as fs from 'fs';
import { Kafka, logLevel } from 'kafkajs';
import { Emulator } from '../../lib/local/emulator';
import { localDocumentClient, postEffectTables, PostEffectTables, postsUrl, readPostEffects } from '../../lib/local/scenarios/posts';
import { parsePost, postPublishedEvent } from '../../lambdas/examples/post-publisher/post';
import { encodeEvent } from '../../lambdas/runtime/cloudevents';
import { synthToDir } from '../support/synth';
import { buildPostApp } from './post-app';
import { signedPost } from '../../lib/local/scenarios/signed-post';

// The fan-out example on the local stack: the synthesized publisher and consumer stacks run by
// the emulator against real Kafka and DynamoDB Local. A topic of its own per run.
const run = randomUUID().slice(0, 8);
const topicName = `posts-${run}`;
const services = { kafkaBrokers: process.env.KAFKA_BROKERS!, dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT! };
const kafka = new Kafka({ clientId: 'fanout-test', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
const doc = localDocumentClient(services.dynamodbEndpoint);
const CONSUMERS = ['recruitment', 'real-estate', 'second-hand'] as const;
const groupOf = (name: string) => `${topicName}.${name}`;

let assemblyDir: string;
let emulator: Emulator;
let tables: PostEffectTables;
const logs: string[] = [];

async function startEmulator(): Promise<Emulator> {
  // Logs go to memory: printed only when a test fails.
  return Emulator.start({ assemblyDir, services, onLog: (line) => logs.push(line), stacks: ['PostPublisher', 'PostConsumers'] });
}

/** The consumer's function in the emulator, by its consumer name. */
function functionOf(consumer: string): string {
  const pascal = consumer.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
  const fn = emulator.functions.find((f) => f.stack === 'PostConsumers' && f.logicalId.startsWith(`Posts${pascal}Function`));
  if (!fn) throw new Error(`no function for consumer ${consumer}: ${emulator.functions.map((f) => f.logicalId).join(', ')}`);
  return fn.name;
}

/** Resolves once each consumer has succeeded on every event id (in the current emulator). */
function processedByAll(eventIds: string[], timeoutMs = 60_000) {
  const names = CONSUMERS.map(functionOf);
  return emulator.waitFor((invocations) => {
    return names.every((name) => {
      const seen = new Set(invocations.filter((i) => i.functionName === name && i.outcome === 'succeeded').flatMap((i) => i.eventIds));
      return eventIds.every((id) => seen.has(id));
    });
  }, timeoutMs);
}

async function publishPost(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await signedPost(`${postsUrl(emulator)}/posts`, body);
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  assemblyDir = synthToDir((app) => buildPostApp(app, { topicName, consumers: { realEstateRejectsPostIdPrefix: 'poison-' } }));
  emulator = await startEmulator();
  tables = postEffectTables(emulator, 'PostConsumers');
}, 180_000);

afterAll(async () => {
  await emulator?.stop();
  doc.destroy();
  if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls !== state.numPassingAsserts) process.stderr.write(`${logs.slice(-200).join('\n')}\n`);
});

describe('post fan-out on the local stack', () => {
  const author = `author-${run}`;
  const posts = [1, 2, 3].map((i) => ({ postId: `post-${run}-${i}`, authorId: author, title: `post ${i}` }));
  const eventIds: string[] = [];

  test('GIVEN three posts published through POST /posts WHEN the consumers run THEN every consumer applies every post once', async () => {
    // GIVEN
    for (const p of posts) {
      const res = await publishPost(p);
      expect(res.status).toBe(202);
      eventIds.push(res.body.eventId);
    }
    // WHEN
    await processedByAll(eventIds);
    // THEN
    for (const p of posts) {
      const effects = await readPostEffects(doc, tables, p);
      expect(effects.reward).toMatchObject({ postId: p.postId, authorId: author, beans: 58 });
      expect(effects.pinned).toMatchObject({ postId: p.postId });
      expect(Date.parse(effects.pinned!.pinnedUntil) - Date.parse(effects.pinned!.pinnedFrom)).toBe(2 * 24 * 3600 * 1000);
    }
    const last = await readPostEffects(doc, tables, posts[0]);
    expect(last.beans).toBe(3 * 58);
    expect(last.statistics?.postsCount).toBe(3);
  });

  test('GIVEN an invalid post WHEN posted THEN 400 names the field and no consumer sees anything', async () => {
    const res = await publishPost({ postId: `post-${run}-bad`, authorId: author });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('title');
  });

  test('GIVEN a post only the real-estate consumer fails on WHEN published before a good post THEN it is dead-lettered after 3 attempts and the rest go on', async () => {
    // GIVEN
    const poison = { postId: `poison-${run}`, authorId: `poisoner-${run}`, title: 'rejected by real estate' };
    const after = { postId: `after-${run}`, authorId: `poisoner-${run}`, title: 'published later' };
    // WHEN
    const first = await publishPost(poison);
    const second = await publishPost(after);
    expect([first.status, second.status]).toEqual([202, 202]);
    await processedByAll([first.body.eventId, second.body.eventId]);
    // THEN the later post was pinned and the other consumers applied both
    const poisonEffects = await readPostEffects(doc, tables, poison);
    const afterEffects = await readPostEffects(doc, tables, after);
    expect(poisonEffects.pinned).toBeUndefined();
    expect(afterEffects.pinned).toMatchObject({ postId: after.postId });
    expect(poisonEffects.reward).toMatchObject({ beans: 58 });
    expect(afterEffects.beans).toBe(2 * 58);
    expect(afterEffects.statistics?.postsCount).toBe(2);
    // and the poison record sits in real estate's dead-letter topic only, after its bounded attempts
    const dead = await readTopic(`${topicName}.real-estate.dlt`, 1);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].value)).toMatchObject({ id: first.body.eventId, subject: poison.postId });
    expect(dead[0].headers['x-attempts']).toBe('3');
    expect(dead[0].headers['x-error-type']).toBe('PromotionRejectedError');
    expect(await topicSize(`${topicName}.recruitment.dlt`)).toBe(0);
    expect(await topicSize(`${topicName}.second-hand.dlt`)).toBe(0);
  });

  test('GIVEN an event delivered twice with the same id WHEN the consumers run THEN no effect is doubled', async () => {
    // GIVEN one event, produced twice as a retrying publisher would
    const dupAuthor = `dup-${run}`;
    const event = postPublishedEvent(parsePost({ postId: `dup-${run}`, authorId: dupAuthor, title: 'twice' }), 'urn:test');
    const producer = kafka.producer();
    await producer.connect();
    const message = { key: event.subject!, value: encodeEvent(event) };
    await producer.send({ topic: topicName, messages: [message] });
    await producer.send({ topic: topicName, messages: [message] });
    await producer.disconnect();
    // WHEN both copies were handled by every consumer
    const names = CONSUMERS.map(functionOf);
    await emulator.waitFor((inv) => names.every((n) => inv.filter((i) => i.functionName === n && i.outcome === 'succeeded').flatMap((i) => i.eventIds).filter((id) => id === event.id).length >= 2), 60_000);
    // THEN
    const effects = await readPostEffects(doc, tables, { postId: `dup-${run}`, authorId: dupAuthor });
    expect(effects.beans).toBe(58);
    expect(effects.statistics?.postsCount).toBe(1);
    expect(effects.pinned).toMatchObject({ eventId: event.id });
  });

  test('GIVEN a client that retries POST /posts WHEN the same post is posted twice THEN both answers carry one event id and no effect is doubled', async () => {
    // GIVEN
    const retried = { postId: `retried-${run}`, authorId: `retrier-${run}`, title: 'posted twice' };
    // WHEN
    const first = await publishPost(retried);
    const second = await publishPost(retried);
    // THEN
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.eventId).toBe(first.body.eventId);
    const names = CONSUMERS.map(functionOf);
    await emulator.waitFor((inv) => names.every((n) => inv.filter((i) => i.functionName === n && i.outcome === 'succeeded').flatMap((i) => i.eventIds).filter((id) => id === first.body.eventId).length >= 2), 60_000);
    const effects = await readPostEffects(doc, tables, retried);
    expect(effects.beans).toBe(58);
    expect(effects.statistics?.postsCount).toBe(1);
  });

  test('GIVEN an event of another type on the topic WHEN the mappings filter THEN no consumer is invoked with it', async () => {
    // GIVEN
    const deleted = { ...postPublishedEvent(parsePost({ postId: `deleted-${run}`, authorId: `deleter-${run}`, title: 'gone' }), 'urn:test', randomUUID()), type: 'post.deleted' };
    const marker = postPublishedEvent(parsePost({ postId: `marker-${run}`, authorId: `deleter-${run}`, title: 'after the deleted one' }), 'urn:test');
    const producer = kafka.producer();
    await producer.connect();
    // same key: the same partition, so the marker is delivered after the filtered record
    await producer.send({ topic: topicName, messages: [deleted, marker].map((e) => ({ key: `deleted-${run}`, value: encodeEvent(e) })) });
    await producer.disconnect();
    // WHEN
    await processedByAll([marker.id]);
    // THEN
    const mapped = emulator.invocations.filter((i) => i.trigger === 'mapping');
    expect(mapped.flatMap((i) => i.eventIds)).not.toContain(deleted.id);
    const effects = await readPostEffects(doc, tables, { postId: `deleted-${run}`, authorId: `deleter-${run}` });
    expect(effects.reward).toBeUndefined();
    expect(effects.statistics?.postsCount).toBe(1);
  });

  test('GIVEN every record processed WHEN the consumer groups replay the topic from the start THEN every effect is unchanged', async () => {
    // GIVEN
    const before = await Promise.all(posts.map((p) => readPostEffects(doc, tables, p)));
    const allIds = [...new Set(emulator.invocations.flatMap((i) => (i.trigger === 'mapping' ? i.eventIds : [])))];
    await emulator.stop();
    // WHEN offsets go back to the beginning for all three groups and the graph runs again
    const admin = kafka.admin();
    await admin.connect();
    for (const c of CONSUMERS) await admin.resetOffsets({ groupId: groupOf(c), topic: topicName, earliest: true });
    await admin.disconnect();
    emulator = await startEmulator();
    await processedByAll(allIds, 90_000);
    // THEN
    const afterReplay = await Promise.all(posts.map((p) => readPostEffects(doc, tables, p)));
    expect(afterReplay.map((e) => [e.beans, e.statistics?.postsCount, e.reward?.eventId, e.pinned?.eventId])).toEqual(
      before.map((e) => [e.beans, e.statistics?.postsCount, e.reward?.eventId, e.pinned?.eventId]),
    );
    expect(afterReplay[0].beans).toBe(3 * 58);
    expect(afterReplay[0].statistics?.postsCount).toBe(3);
  }, 180_000);
});

async function topicSize(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Reads `count` records of a topic from the beginning with a throwaway consumer group. */
async function readTopic(topic: string, count: number): Promise<Array<{ value: string; headers: Record<string, string> }>> {
  const consumer = kafka.consumer({ groupId: `fanout-test-reader-${randomUUID()}` });
  const out: Array<{ value: string; headers: Record<string, string> }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${count} records of ${topic}`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
            out.push({ value: message.value?.toString('utf8') ?? '', headers });
            if (out.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
