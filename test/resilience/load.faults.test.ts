import * as fs from 'fs';
import { ChainEventType } from '../../lambdas/runtime/chain/events';
import { dateRange } from '../../lib/chain/client';
import { Emulator } from '../../lib/local/emulator';
import { localDocumentClient, postEffectTables } from '../../lib/local/scenarios/posts';
import type { LocalServices } from '../../lib/local/services';
import { startChainHarness, type ChainHarness } from '../chain/chain-harness';
import { buildPostApp } from '../fanout/post-app';
import { kafkaClient, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { expectedEffects, fanoutEffects, makePosts, publishPosts } from './fanout-support';
import { countBy, readTopic, startOwnServices } from './support';

/**
 * Volume on services of this suite's own, with the example stacks as the app builds them
 * (economical profile, default batch sizes): 10,000 posts through the fan-out example, and a
 * 50-day backfill of the nightly chain. Every effect is counted exactly; durations are logged
 * (not asserted: benchmarks live in bench/).
 */
describe('load', () => {
  let services: LocalServices;

  beforeAll(async () => {
    services = await startOwnServices();
  }, 180_000);

  afterAll(async () => {
    await services?.stop();
  }, 60_000);

  test('GIVEN the fan-out example WHEN 10,000 posts are published THEN each consumer applies each exactly once', async () => {
    const assemblyDir = synthToDir((app) => void buildPostApp(app));
    const emulator = await Emulator.start({ assemblyDir, services, stacks: ['PostPublisher', 'PostConsumers'], onLog: () => undefined });
    const producer = kafkaClient().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const doc = localDocumentClient(services.dynamodbEndpoint);
    try {
      // GIVEN
      const run = Date.now().toString(36);
      const posts = makePosts(run, 10_000, 200);
      const tables = postEffectTables(emulator);
      const t0 = Date.now();
      // WHEN
      await publishPosts(producer, posts, 1000);
      const published = Date.now() - t0;
      // THEN
      await waitFor(async () => {
        const e = await fanoutEffects(doc, tables, run);
        return e.rewards === posts.length && e.pinned === posts.length && Object.values(e.postsCount).reduce((a, b) => a + b, 0) === posts.length;
      }, { timeoutMs: 600_000, intervalMs: 5000, description: 'all 10,000 posts took effect' });
      const done = Date.now() - t0;
      await emulator.waitForIdle({ quietMs: 2000, timeoutMs: 120_000 });
      expect(await fanoutEffects(doc, tables, run)).toEqual(expectedEffects(posts));
      const failed = emulator.invocations.filter((i) => i.outcome !== 'succeeded');
      process.stdout.write(`[load] 10,000 posts: published in ${published} ms, all effects in ${done} ms, ${emulator.invocations.length} invocations, ${failed.length} not succeeded\n`);
    } finally {
      doc.destroy();
      await producer.disconnect();
      await emulator.stop();
      fs.rmSync(assemblyDir, { recursive: true, force: true });
    }
  }, 700_000);

  test('GIVEN the nightly chain WHEN a 50-day backfill is requested THEN every run completes with each task started and succeeded once', async () => {
    const h: ChainHarness = await startChainHarness();
    try {
      // GIVEN
      const runIds = dateRange('2026-01-01', '2026-02-19');
      expect(runIds).toHaveLength(50);
      const t0 = Date.now();
      // WHEN
      await h.clients.nightly.requestRuns(runIds);
      // THEN
      await waitFor(async () => {
        for (const runId of runIds) {
          const s = await h.clients.nightly.status(runId);
          if (!s.every((x) => x.state === 'succeeded')) return false;
        }
        return true;
      }, { timeoutMs: 400_000, intervalMs: 2000, description: 'all 50 runs succeeded' });
      const done = Date.now() - t0;
      await h.drained('nightly');
      const events = [...new Map((await readTopic(services.kafkaBrokers, h.clients.nightly.topicName)).map((r) => r.event).filter((e) => !!e).map((e) => [e!.id, e!])).values()];
      const per = (type: string) => countBy(events.filter((e) => e.type === type), (e) => `${e.runid}/${e.task}`);
      const expected = Object.fromEntries(runIds.flatMap((r) => ['task1', 'task2', 'task3'].map((t) => [`${r}/${t}`, 1])));
      expect(per(ChainEventType.TASK_STARTED)).toEqual(expected);
      expect(per(ChainEventType.TASK_SUCCEEDED)).toEqual(expected);
      expect(events.filter((e) => e.type === ChainEventType.TASK_FAILED)).toHaveLength(0);
      process.stdout.write(`[load] 50-run backfill of the nightly chain: all 150 tasks succeeded in ${done} ms\n`);
    } finally {
      await h.stop();
    }
  }, 600_000);
});
