import { ChainEventType } from '../../lambdas/runtime/chain/events';
import type { LocalServices } from '../../lib/local/services';
import { startChainHarness, testRunId, type ChainHarness } from '../chain/chain-harness';
import { waitFor } from '../support/services';
import { countBy, readTopic, startOwnServices } from './support';

/**
 * Crashes under a running chain, on services of this suite's own: the broker SIGKILLed in the
 * middle of a nightly run, DynamoDB Local killed while the fork/join chain joins. Counts come
 * from the chain topic read back after the run, so nothing the readers saw twice can count.
 */
describe('chain runs survive service crashes', () => {
  let services: LocalServices;
  let h: ChainHarness;

  beforeAll(async () => {
    services = await startOwnServices();
    h = await startChainHarness();
  }, 180_000);

  afterAll(async () => {
    await h?.stop().catch(() => undefined);
    await services?.stop();
  }, 60_000);

  const allSucceeded = async (chain: 'nightly' | 'forkjoin', runId: string) => {
    const s = await h.clients[chain].status(runId);
    return s.every((x) => x.state === 'succeeded') && s;
  };
  /** task.started / task.succeeded events of a run per task, read back from the chain topic. */
  const startsPerTask = async (chain: 'nightly' | 'forkjoin', runId: string) => {
    const records = await readTopic(services.kafkaBrokers, h.clients[chain].topicName);
    // One per event id: a republished outcome (crash between the store write and the publish)
    // is the same event, with the same id, which every consumer drops as a duplicate.
    const byId = new Map(records.map((r) => r.event).filter((e) => e?.runid === runId).map((e) => [e!.id, e]));
    const ofRun = [...byId.values()];
    return {
      started: countBy(ofRun.filter((e) => e!.type === ChainEventType.TASK_STARTED), (e) => String(e!.task)),
      succeeded: countBy(ofRun.filter((e) => e!.type === ChainEventType.TASK_SUCCEEDED), (e) => String(e!.task)),
      failed: ofRun.filter((e) => e!.type === ChainEventType.TASK_FAILED).length,
    };
  };

  /** Calls of each task function for a run, from the line the example tasks log on each call. */
  const callsPerTask = (runId: string) => {
    const calls = h.logs.filter((line) => line.includes('task function called') && line.includes(runId));
    return countBy(calls, (line) => String(/"task":"([^"]+)"/.exec(line)?.[1]));
  };

  test('GIVEN a fork/join run with orders mid-run WHEN the broker is SIGKILLed for 8 s THEN each task function is called exactly once', async () => {
    // GIVEN: orders takes 6 s; the broker dies while it runs, so its outcome (and the joins after
    // it) wait for the broker while the record handler retries
    const runId = testRunId('slow-orders-brokerkill');
    await h.clients.forkjoin.requestRuns([runId]);
    await waitFor(async () => (await h.clients.forkjoin.statusItems(runId)).get('orders')?.state === 'running', { timeoutMs: 60_000, intervalMs: 50, description: 'orders running' });

    // WHEN
    await services.killKafka();
    await new Promise((resolve) => setTimeout(resolve, 8000));
    await services.restartKafka();

    // THEN: one call of each task function for the run, and each outcome published once
    await waitFor(() => allSucceeded('forkjoin', runId), { timeoutMs: 120_000, description: `run ${runId} succeeded` });
    await h.drained('forkjoin');
    expect(callsPerTask(runId)).toEqual({ extract: 1, users: 1, orders: 1, report: 1 });
    const counts = await startsPerTask('forkjoin', runId);
    expect(counts.started).toEqual({ extract: 1, users: 1, orders: 1, report: 1 });
    expect(counts.succeeded).toEqual({ extract: 1, users: 1, orders: 1, report: 1 });
    expect(counts.failed).toBe(0);
  }, 240_000);

  test('GIVEN a nightly run with task2 in flight WHEN the broker is SIGKILLed and restarted THEN the run completes, every task once', async () => {
    // GIVEN: task2 takes 6 s (fault injection by run id), so the crash lands while it runs
    const runId = testRunId('slow-task2');
    await h.clients.nightly.requestRuns([runId]);
    await waitFor(async () => (await h.clients.nightly.statusItems(runId)).get('task2')?.state === 'running', { timeoutMs: 60_000, description: 'task2 running' });

    // WHEN
    await services.killKafka();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await services.restartKafka();

    // THEN
    const statuses = await waitFor(() => allSucceeded('nightly', runId), { timeoutMs: 120_000, description: `run ${runId} succeeded` });
    expect(statuses.map((s) => s.task)).toEqual(['task1', 'task2', 'task3']);
    await h.drained('nightly');
    const counts = await startsPerTask('nightly', runId);
    expect(callsPerTask(runId)).toEqual({ task1: 1, task2: 1, task3: 1 });
    expect(counts.started).toEqual({ task1: 1, task2: 1, task3: 1 });
    expect(counts.succeeded).toEqual({ task1: 1, task2: 1, task3: 1 });
    expect(counts.failed).toBe(0);
  }, 240_000);

  test('GIVEN a fork/join run with one branch done WHEN DynamoDB Local is killed and restarted before the join THEN the join fires exactly once', async () => {
    // GIVEN: orders takes 6 s; users finishes first and is recorded in the join table
    const runId = testRunId('slow-orders');
    await h.clients.forkjoin.requestRuns([runId]);
    await waitFor(async () => {
      const s = await h.clients.forkjoin.statusItems(runId);
      return s.get('users')?.state === 'succeeded' && s.get('orders')?.state === 'running';
    }, { timeoutMs: 60_000, intervalMs: 50, description: 'users succeeded while orders runs' });

    // WHEN: DynamoDB Local is down while orders finishes and the join for report is evaluated
    await services.killDynamoDb();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await services.restartDynamoDb();

    // THEN
    await waitFor(() => allSucceeded('forkjoin', runId), { timeoutMs: 120_000, description: `run ${runId} succeeded` });
    await h.drained('forkjoin');
    const counts = await startsPerTask('forkjoin', runId);
    // orders' own data writes hit the outage, so its attempts may be retried (a task.started per
    // attempt, each a call of its function); every other task is called and starts exactly once.
    const calls = callsPerTask(runId);
    expect(calls).toMatchObject({ extract: 1, users: 1, report: 1 });
    expect(counts.started).toMatchObject({ extract: 1, users: 1, report: 1 });
    expect(counts.started.orders).toBe(calls.orders);
    expect(counts.succeeded).toEqual({ extract: 1, users: 1, orders: 1, report: 1 });
    expect(counts.failed).toBe(0);
  }, 240_000);
});
