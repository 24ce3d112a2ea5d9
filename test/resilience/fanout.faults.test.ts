import * as fs from 'fs';
import type { Producer } from 'kafkajs';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { Emulator } from '../../lib/local/emulator';
import { localDocumentClient, postEffectTables } from '../../lib/local/scenarios/posts';
import type { LocalServices } from '../../lib/local/services';
import { POSTS_TOPIC } from '../../lib/examples/post-publisher-stack';
import { buildPostApp } from '../fanout/post-app';
import { kafkaClient, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { expectedEffects, fanoutEffects, makePosts, publishPosts } from './fanout-support';
import { readTopic, startOwnServices } from './support';

/**
 * The fan-out example (publisher + three consumers) on services of this suite's own: the
 * functions' processes die in the middle of their batches, and a poison record sits in front of
 * good ones. Effects are read from the consumers' tables.
 */
describe('fan-out consumers survive crashes and poison records', () => {
  let services: LocalServices;
  let assemblyDir: string;
  let emulator: Emulator | undefined;
  let producer: Producer;
  const logs: string[] = [];
  const start = () => Emulator.start({ assemblyDir, services, stacks: ['PostPublisher', 'PostConsumers'], onLog: (line) => void logs.push(line) });

  beforeAll(async () => {
    services = await startOwnServices();
    assemblyDir = synthToDir((app) => void buildPostApp(app));
    emulator = await start();
    producer = kafkaClient().producer({ allowAutoTopicCreation: false });
    await producer.connect();
  }, 240_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await emulator?.stop().catch(() => undefined);
    await services?.stop();
    if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
  }, 60_000);

  test('GIVEN a poison record in front of good ones on its partition WHEN consumed THEN it is dead-lettered after its attempts and the good ones flow', async () => {
    // GIVEN: the poison shares the key (so the partition) of the good posts after it
    const run = Date.now().toString(36);
    const key = `post-${run}-0`;
    const poison = createEvent({ type: 'post.published', source: 'urn:test:faults', subject: key, data: { postId: key, title: 'no author' } });
    await producer.send({ topic: POSTS_TOPIC, acks: -1, messages: [{ key, value: encodeEvent(poison) }] });
    const posts = makePosts(run, 20, 2);
    // WHEN
    await producer.send({ topic: POSTS_TOPIC, acks: -1, messages: posts.map((p) => ({ key, value: encodeEvent(createEvent({ type: 'post.published', source: 'urn:test:faults', subject: key, data: p })) })) });

    // THEN
    const doc = localDocumentClient(services.dynamodbEndpoint);
    const tables = postEffectTables(emulator!);
    await waitFor(async () => (await fanoutEffects(doc, tables, run)).rewards === posts.length && (await fanoutEffects(doc, tables, run)).pinned === posts.length, { timeoutMs: 120_000, intervalMs: 1000, description: 'the good posts took effect' });
    await emulator!.waitForIdle({ quietMs: 1500, timeoutMs: 60_000 });
    expect(await fanoutEffects(doc, tables, run)).toEqual(expectedEffects(posts));
    doc.destroy();
    for (const fn of emulator!.functions.filter((f) => f.environment.DEAD_LETTER_TOPIC && f.environment.TOPIC_NAME === POSTS_TOPIC)) {
      const dead = (await readTopic(services.kafkaBrokers, fn.environment.DEAD_LETTER_TOPIC)).filter((r) => r.event?.id === poison.id);
      expect(dead).toHaveLength(1);
      expect(dead[0].headers['x-attempts']).toBe('3');
      expect(dead[0].headers['x-error-message']).toMatch(/authorId/);
    }
  }, 240_000);

  // Each post consumer commits its effect and the event's marker in one transaction, so a killed
  // invocation leaves each post applied in full or not at all; the redelivery finds the markers.
  test('GIVEN batches in flight WHEN every function process dies (emulator stopped) and comes back THEN records are delivered again and each effect happens once', async () => {
    // GIVEN: enough posts that batches are still running when the crash comes
    const run = Date.now().toString(36);
    const posts = makePosts(run, 600, 40);
    const doc = localDocumentClient(services.dynamodbEndpoint);
    const tables = postEffectTables(emulator!);
    const step = (what: string) => void process.stdout.write(`[crash] ${new Date().toISOString()} ${what}\n`);
    // The earlier test's invocations must not count as "this run is under way".
    const earlier = emulator!.invocations.length;
    await publishPosts(producer, posts);
    step('published');
    await emulator!.waitFor((inv) => inv.slice(earlier).some((i) => i.outcome === 'succeeded' && i.trigger === 'mapping'), 60_000);

    // WHEN: workers are terminated mid-invocation and no unfinished batch is committed
    step('stopping the emulator mid-batch');
    await emulator!.stop();
    const before = await fanoutEffects(doc, tables, run);
    step(`stopped with ${before.rewards} rewards; starting again`);
    emulator = await start();
    step('started again');

    // THEN
    const expected = expectedEffects(posts);
    let last = before;
    const after = await waitFor(async () => {
      const e = (last = await fanoutEffects(doc, tables, run));
      return e.rewards === posts.length && e.pinned === posts.length && Object.values(e.postsCount).reduce((a, b) => a + b, 0) >= posts.length && e;
    }, { timeoutMs: 150_000, intervalMs: 2000, description: 'every post took effect in every consumer' }).catch((err: Error) => {
      const dead = emulator!.invocations.filter((i) => i.outcome !== 'succeeded').length;
      const deadLettered = logs.filter((l) => l.includes('record sent to the dead-letter topic'));
      throw new Error(`${err.message}: ${deadLettered.length} dead-lettered (${deadLettered[0]?.slice(0, 600)}); ${last.rewards} rewards, ${last.pinned} pinned, ${Object.values(last.postsCount).reduce((a, b) => a + b, 0)} counted of ${posts.length}; ${dead} invocations not succeeded`);
    });
    await emulator.waitForIdle({ quietMs: 1500, timeoutMs: 120_000 });
    expect(await fanoutEffects(doc, tables, run)).toEqual(expected);
    expect(after.rewards).toBe(posts.length);
    // Redelivered: effects present before the restart plus records delivered after it exceed the posts.
    const recruitment = emulator.mappings.find((m) => m.consumerGroupId.endsWith('.recruitment'))!;
    const deliveredAfter = emulator.invocations.filter((i) => i.mapping === `${recruitment.stack}/${recruitment.logicalId}`).reduce((n, i) => n + i.recordCount, 0);
    expect(before.rewards).toBeLessThan(posts.length);
    expect(before.rewards + deliveredAfter).toBeGreaterThan(posts.length);
    doc.destroy();
  }, 420_000);
});
