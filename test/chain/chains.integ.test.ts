import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { releaseKey } from '../../lambdas/examples/chain-tasks/data';
import { ChainEventType } from '../../lambdas/runtime/chain/events';
import { waitFor } from '../support/services';
import { runChainScenarios } from '../../lib/local/scenarios/chains';
import { runEvents, startChainHarness, testRunId, type ChainHarness } from './chain-harness';

/**
 * Both example chains in local mode. The fork/join example (extract → {users, orders} → report) in local mode: the synthesized
 * app on the emulator, real Kafka, DynamoDB Local. Fault injection by run id: `fail-<task>`
 * makes a task throw, `slow-<task>` makes it take 6 s, `hold-<task>` keeps it running until the
 * test releases it (no timing window: CI machines are loaded).
 */
describe('fork/join chain in local mode', () => {
  let h: ChainHarness;
  const ms = (iso?: string) => Date.parse(iso ?? '');
  const succeeded = async (runId: string, tasks = h.clients.forkjoin.graph.taskNames) => {
    const s = await h.clients.forkjoin.status(runId);
    return tasks.every((t) => s.find((x) => x.task === t)?.state === 'succeeded') && s;
  };
  const started = (runId: string, task: string) => runEvents(h.events.forkjoin, runId, ChainEventType.TASK_STARTED, task);
  /** Waits until users succeeded and orders (a `hold-orders` run) is running. */
  const usersDoneOrdersHeld = (runId: string) => waitFor(async () => {
    const s = await h.clients.forkjoin.status(runId);
    return s.find((x) => x.task === 'users')?.state === 'succeeded' && s.find((x) => x.task === 'orders')?.state === 'running';
  }, { timeoutMs: 60_000, description: 'users succeeded and orders (held) running' });
  const release = (runId: string, task: string) => h.db.send(new PutCommand({ TableName: h.dataTable('forkjoin'), Item: releaseKey(runId, task) }));

  beforeAll(async () => {
    h = await startChainHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('GIVEN a run WHEN requested THEN every task succeeds after its dependencies and pointers carry the data', async () => {
    const runId = testRunId('order');
    await h.clients.forkjoin.requestRuns([runId]);
    const s = await waitFor(() => succeeded(runId), { timeoutMs: 60_000, description: 'all four tasks succeeded' });
    const at = Object.fromEntries(s.map((x) => [x.task, x]));
    expect(ms(at.users.startedAt)).toBeGreaterThanOrEqual(ms(at.extract.finishedAt));
    expect(ms(at.orders.startedAt)).toBeGreaterThanOrEqual(ms(at.extract.finishedAt));
    expect(ms(at.report.startedAt)).toBeGreaterThanOrEqual(Math.max(ms(at.users.finishedAt), ms(at.orders.finishedAt)));
    expect(at.extract.result).toEqual({ uri: `dynamodb://${h.dataTable('forkjoin')}/${encodeURIComponent(`extract#${runId}`)}`, rows: 60 });
    expect(at.users.result).toMatchObject({ rows: 20 });
    // The report is the real join of the two branches: all 40 orders are accounted for.
    const summary = await h.db.send(new GetCommand({ TableName: h.dataTable('forkjoin'), Key: { pk: `report#${runId}`, sk: 'summary' } }));
    expect(summary.Item?.orders).toBe(40);
  });

  test('GIVEN duplicate run.requested and task.succeeded events WHEN delivered THEN each task starts exactly once', async () => {
    const runId = testRunId('dup');
    await Promise.all([h.clients.forkjoin.requestRuns([runId]), h.clients.forkjoin.requestRuns([runId]), h.clients.forkjoin.requestRuns([runId])]);
    await waitFor(() => succeeded(runId), { timeoutMs: 60_000, description: 'run succeeded' });
    // Re-inject the upstream successes of the join, byte for byte.
    const successes = await waitFor(() => {
      const e = [...runEvents(h.events.forkjoin, runId, ChainEventType.TASK_SUCCEEDED, 'users'), ...runEvents(h.events.forkjoin, runId, ChainEventType.TASK_SUCCEEDED, 'orders')];
      return e.length === 2 && e;
    });
    await h.clients.forkjoin.send(runId, [...successes, ...successes]);
    await h.drained('forkjoin');
    for (const task of ['extract', 'users', 'orders', 'report']) expect(started(runId, task)).toHaveLength(1);
    expect(runEvents(h.events.forkjoin, runId, ChainEventType.TASK_SUCCEEDED, 'report')).toHaveLength(1);
  });

  test('GIVEN a task that keeps failing WHEN the run goes THEN it is retried, task.failed carries the error and its downstream never starts', async () => {
    const runId = testRunId('fail-users');
    await h.clients.forkjoin.requestRuns([runId]);
    const failed = await waitFor(() => runEvents(h.events.forkjoin, runId, ChainEventType.TASK_FAILED, 'users')[0], { timeoutMs: 60_000, description: 'task.failed of users' });
    expect(failed.data).toMatchObject({ attempts: 3, error: { message: expect.stringContaining('injected failure of users') } });
    expect(started(runId, 'users').map((e) => e.attempt)).toEqual([1, 2, 3]);
    await waitFor(() => succeeded(runId, ['orders']), { description: 'orders (the other branch) succeeded' });
    // Other runs keep flowing through the same consumers.
    const other = testRunId('other');
    await h.clients.forkjoin.requestRuns([other]);
    await waitFor(() => succeeded(other), { timeoutMs: 60_000, description: 'a later run succeeded' });
    await h.drained('forkjoin');
    expect(started(runId, 'report')).toHaveLength(0);
    const status = await h.clients.forkjoin.status(runId);
    expect(status.find((s) => s.task === 'users')).toMatchObject({ state: 'failed', error: expect.stringContaining('injected failure') });
    expect(status.find((s) => s.task === 'report')).toMatchObject({ state: 'waiting' });
  });

  test('GIVEN a finished run WHEN users is rerun THEN users and report run once more and extract and orders do not', async () => {
    const runId = testRunId('rerun');
    await h.clients.forkjoin.requestRuns([runId]);
    await waitFor(() => succeeded(runId), { timeoutMs: 60_000, description: 'run succeeded' });
    const { generation, cascade } = await h.clients.forkjoin.requestRerun('users', runId);
    expect(cascade).toEqual(['users', 'report']);
    await waitFor(() => runEvents(h.events.forkjoin, runId, ChainEventType.TASK_SUCCEEDED, 'report').some((e) => e.generation === generation), { timeoutMs: 60_000, description: 'report succeeded in the rerun' });
    // Duplicate the rerun request: it must not run again.
    await h.clients.forkjoin.requestRerun('users', runId, generation);
    await h.drained('forkjoin');
    const count = (task: string) => started(runId, task).length;
    expect([count('extract'), count('orders'), count('users'), count('report')]).toEqual([1, 1, 2, 2]);
    const reportRerun = runEvents(h.events.forkjoin, runId, ChainEventType.TASK_STARTED, 'report').filter((e) => e.generation === generation);
    expect(reportRerun).toHaveLength(1);
    const s = await h.clients.forkjoin.status(runId);
    expect(s.find((x) => x.task === 'report')).toMatchObject({ state: 'succeeded', generation });
    expect(s.find((x) => x.task === 'orders')).toMatchObject({ state: 'succeeded', generation: 0 });
  });

  test('GIVEN orders still running WHEN users is rerun THEN report runs for the run and once more for the rerun when orders succeeds', async () => {
    // GIVEN a run whose orders is held running, and users already succeeded
    const runId = testRunId('hold-orders');
    await h.clients.forkjoin.requestRuns([runId]);
    let generation: number;
    try {
      await usersDoneOrdersHeld(runId);
      // WHEN users is rerun before orders is done, and then orders is let go
      ({ generation } = await h.clients.forkjoin.requestRerun('users', runId));
      await waitFor(() => started(runId, 'users').some((e) => e.generation === generation), { timeoutMs: 60_000, description: 'users started in the rerun' });
    } finally {
      await release(runId, 'orders');
    }
    // THEN once orders succeeds the rerun's join completes too: report runs in the run and in the rerun, once each
    await waitFor(() => runEvents(h.events.forkjoin, runId, ChainEventType.TASK_SUCCEEDED, 'report').some((e) => e.generation === generation), { timeoutMs: 60_000, description: 'report succeeded in the rerun' });
    await h.drained('forkjoin');
    const generations = (task: string) => started(runId, task).map((e) => e.generation).sort((a, b) => Number(a) - Number(b));
    expect(Object.fromEntries(['extract', 'orders', 'users', 'report'].map((t) => [t, generations(t)]))).toEqual({
      extract: [0], orders: [0], users: [0, generation], report: [0, generation],
    });
    const s = await h.clients.forkjoin.status(runId);
    expect(s.find((x) => x.task === 'report')).toMatchObject({ state: 'succeeded', generation });
  });

  test('GIVEN a dependency that failed or is still running WHEN its dependent is rerun THEN the rerun is refused, naming it, and nothing is published', async () => {
    // GIVEN users failed for one run (its orders succeeded)
    const failedRun = testRunId('fail-users');
    await h.clients.forkjoin.requestRuns([failedRun]);
    await waitFor(() => runEvents(h.events.forkjoin, failedRun, ChainEventType.TASK_FAILED, 'users').length > 0, { timeoutMs: 60_000, description: 'users failed' });
    await waitFor(() => succeeded(failedRun, ['orders']), { timeoutMs: 60_000, description: 'orders (the other dependency) succeeded' });
    // WHEN report is rerun / THEN it is refused
    await expect(h.clients.forkjoin.requestRerun('report', failedRun)).rejects.toThrow(
      `cannot rerun "report" for run ${failedRun}: its dependencies have not all succeeded (users: failed); rerun "report" once they have, or rerun them first`,
    );
    // GIVEN orders still running in another run (held; the held record also holds its partition,
    // so the failed run goes first), users succeeded
    const heldRun = testRunId('hold-orders');
    await h.clients.forkjoin.requestRuns([heldRun]);
    try {
      await usersDoneOrdersHeld(heldRun);
      // WHEN report is rerun / THEN it is refused
      await expect(h.clients.forkjoin.requestRerun('report', heldRun)).rejects.toThrow(`cannot rerun "report" for run ${heldRun}: its dependencies have not all succeeded (orders: running)`);
    } finally {
      await release(heldRun, 'orders');
    }
    await waitFor(() => succeeded(heldRun), { timeoutMs: 60_000, description: 'the held run succeeded once released' });
    await h.drained('forkjoin');
    expect([...runEvents(h.events.forkjoin, failedRun, ChainEventType.TASK_REQUESTED), ...runEvents(h.events.forkjoin, heldRun, ChainEventType.TASK_REQUESTED)]).toEqual([]);
  });

  test('GIVEN a backfill of three dates THEN three independent runs each complete with their own data', async () => {
    const base = Date.now() % 1000;
    const runIds = [1, 2, 3].map((d) => `bf${base}-2026-11-0${d}`);
    await h.clients.forkjoin.requestRuns(runIds);
    for (const runId of runIds) await waitFor(() => succeeded(runId), { timeoutMs: 90_000, description: `run ${runId} succeeded` });
    const pointers = await Promise.all(runIds.map(async (r) => (await h.clients.forkjoin.status(r)).find((x) => x.task === 'report')!.result));
    expect(new Set(pointers.map((p) => JSON.stringify(p))).size).toBe(3);
    for (const runId of runIds) for (const task of ['extract', 'users', 'orders', 'report']) expect(started(runId, task)).toHaveLength(1);
  });

  test('GIVEN a slow task THEN only its own downstream waits: its sibling finishes first and the join starts after it', async () => {
    const runId = testRunId('slow-users');
    await h.clients.forkjoin.requestRuns([runId]);
    const s = await waitFor(() => succeeded(runId), { timeoutMs: 60_000, description: 'run succeeded' });
    const at = Object.fromEntries(s.map((x) => [x.task, x]));
    expect(ms(at.users.finishedAt) - ms(at.users.startedAt)).toBeGreaterThanOrEqual(3000);
    expect(ms(at.orders.finishedAt)).toBeLessThan(ms(at.users.finishedAt));
    expect(ms(at.report.startedAt)).toBeGreaterThanOrEqual(ms(at.users.finishedAt));
  });

  test('GIVEN the nightly chain WHEN its schedule fires THEN the run id is the Shanghai business date and task1 → task2 → task3 run in order', async () => {
    const schedule = h.emulator.schedules.find((x) => x.stack === h.stacks.nightly && x.logicalId.startsWith('ChainSchedule'));
    expect(schedule).toMatchObject({ expression: 'cron(0 2 * * ? *)', timezone: 'Asia/Shanghai' });
    const result = await h.emulator.triggerSchedule(schedule!.logicalId);
    expect(result.outcome).toBe('succeeded');
    const { runId } = result.result as { runId: string };
    expect(runId).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(result.start)));
    const s = await waitFor(async () => {
      const st = await h.clients.nightly.status(runId);
      return st.every((x) => x.state === 'succeeded') && st;
    }, { timeoutMs: 60_000, description: 'nightly run succeeded' });
    const at = Object.fromEntries(s.map((x) => [x.task, x]));
    expect(ms(at.task2.startedAt)).toBeGreaterThanOrEqual(ms(at.task1.finishedAt));
    expect(ms(at.task3.startedAt)).toBeGreaterThanOrEqual(ms(at.task2.finishedAt));
  });

  test('GIVEN the deadline check WHEN a run has not finished THEN run.deadline.missed names the final task; WHEN it has THEN nothing is missing', async () => {
    const checker = h.emulator.functions.find((f) => f.stack === h.stacks.nightly && f.logicalId.startsWith('ChainDeadlineChecker'))!;
    const late = testRunId('never-started');
    const missed = await h.emulator.invoke(checker.name, { runId: late });
    expect(missed.result).toEqual({ runId: late, missing: ['task3'] });
    await waitFor(() => runEvents(h.events.nightly, late, ChainEventType.RUN_DEADLINE_MISSED).length === 1, { description: 'run.deadline.missed' });
    const done = testRunId('done');
    await h.clients.nightly.requestRuns([done]);
    await waitFor(async () => (await h.clients.nightly.status(done)).every((x) => x.state === 'succeeded'), { timeoutMs: 60_000, description: 'nightly run succeeded' });
    expect((await h.emulator.invoke(checker.name, { runId: done })).result).toEqual({ runId: done, missing: [] });
  });
});

describe('runChainScenarios (the demo part)', () => {
  let h: ChainHarness;
  beforeAll(async () => {
    h = await startChainHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  test('GIVEN the app with both chains WHEN the demo scenario runs THEN every task of each succeeds in dependency order', async () => {
    const results = await runChainScenarios(h.emulator, { log: () => undefined });
    expect(results.map((r) => r.chain).sort()).toEqual([h.clients.forkjoin.graph.name, h.clients.nightly.graph.name].sort());
    for (const r of results) expect(r.problems).toEqual([]);
    const forkJoin = results.find((r) => r.chain === h.clients.forkjoin.graph.name)!;
    expect(forkJoin.startOrder[0]).toBe('extract');
    expect(forkJoin.startOrder[3]).toBe('report');
  });
});
