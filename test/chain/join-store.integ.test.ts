import type { CloudEvent } from '../../lambdas/runtime/cloudevents';
import { runRequested, taskSucceeded, taskRequested } from '../../lambdas/runtime/chain/events';
import { JoinStore } from '../../lambdas/runtime/chain/join-store';
import { TaskRunner, type TaskFunction } from '../../lambdas/runtime/chain/task-runner';
import { documentClient, uniqueName } from '../support/services';
import { createJoinTable } from './chain-fixtures';

/**
 * The join store and the task runner against DynamoDB Local, without Kafka: many concurrent
 * deliveries of the same event, in-process, race for one claim.
 */
describe('join store and task runner (DynamoDB Local)', () => {
  const table = uniqueName('chain-join');
  const db = documentClient();
  const store = new JoinStore(db, table);
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  beforeAll(() => createJoinTable(table));

  const runner = (task: string, dependsOn: string[], fn: TaskFunction, published: CloudEvent[]) =>
    new TaskRunner({ chain: 'c', task, dependsOn, maxAttempts: 2, retryBaseMs: 10, defaultLeaseMs: 60_000 }, fn, store, async (_r, e) => void published.push(...e), quiet);

  test('GIVEN 20 concurrent deliveries of run.requested WHEN handled THEN the root task runs once and succeeds once', async () => {
    const published: CloudEvent[] = [];
    let calls = 0;
    // A slow broker: the outcome is stored well before it is published, and the duplicates see it so.
    const slowPublish = async (_r: string, e: CloudEvent[]) => void (await new Promise((r) => setTimeout(r, 100)), published.push(...e));
    const root = new TaskRunner({ chain: 'c', task: 'a', dependsOn: [], maxAttempts: 2, retryBaseMs: 10, defaultLeaseMs: 60_000 }, async ({ runId }) => ({ uri: `mem://${runId}/a`, rows: ++calls }), store, slowPublish, quiet);
    const event = runRequested('c', 'r1', 'test');
    const deliveries = Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 15)).then(() => root.handle(event)));
    await Promise.all(deliveries);
    expect(calls).toBe(1);
    expect(published.filter((e) => e.type === 'task.succeeded')).toHaveLength(1);
  });

  test('GIVEN a join of two dependencies WHEN their successes arrive concurrently and twice THEN the join task runs once with both inputs', async () => {
    const published: CloudEvent[] = [];
    const seen: Array<Record<string, unknown>> = [];
    const join = runner('j', ['a', 'b'], async ({ inputs }) => (seen.push({ ...inputs }), { uri: 'mem://j' }), published);
    const a = taskSucceeded({ chain: 'c', runid: 'r2', task: 'a', generation: 0, attempt: 1 }, { result: { uri: 'mem://a' }, startedAt: '', finishedAt: '' });
    const b = taskSucceeded({ chain: 'c', runid: 'r2', task: 'b', generation: 0, attempt: 1 }, { result: { uri: 'mem://b' }, startedAt: '', finishedAt: '' });
    await join.handle(a);
    expect(seen).toHaveLength(0);
    await Promise.all([a, b, a, b, b, a].map((e) => join.handle(e)));
    expect(seen).toEqual([{ a: { uri: 'mem://a' }, b: { uri: 'mem://b' } }]);
  });

  test('GIVEN a rerun of a dependency WHEN it succeeds in the new generation THEN the join runs again with the new and the latest outside results', async () => {
    const published: CloudEvent[] = [];
    const seen: Array<Record<string, unknown>> = [];
    const join = runner('j', ['a', 'b'], async ({ inputs, generation }) => (seen.push({ generation, ...inputs }), { uri: `mem://j/${generation}` }), published);
    for (const t of ['a', 'b']) {
      await store.putStatus('c', 'r3', { task: t, state: 'succeeded', generation: 0, attempt: 1, result: { uri: `mem://${t}/0` }, finishedAt: 'x' });
      await join.handle(taskSucceeded({ chain: 'c', runid: 'r3', task: t, generation: 0 }, { result: { uri: `mem://${t}/0` }, startedAt: '', finishedAt: '' }));
    }
    const rerun = taskRequested('c', 'r3', 'a', ['a', 'j'], 777);
    expect(rerun.rerun).toBe('a');
    const again = taskSucceeded({ chain: 'c', runid: 'r3', task: 'a', generation: 777, rerun: 'a' }, { result: { uri: 'mem://a/777' }, startedAt: '', finishedAt: '', cascade: ['a', 'j'] });
    await Promise.all([join.handle(again), join.handle(again)]);
    expect(seen).toEqual([
      { generation: 0, a: { uri: 'mem://a/0' }, b: { uri: 'mem://b/0' } },
      { generation: 777, a: { uri: 'mem://a/777' }, b: { uri: 'mem://b/0' } },
    ]);
  });

  test('GIVEN a task that always throws WHEN run THEN it is tried maxAttempts times and task.failed is published once', async () => {
    const published: CloudEvent[] = [];
    let calls = 0;
    const bad = runner('a', [], async () => {
      calls++;
      throw new Error('boom');
    }, published);
    const event = runRequested('c', 'r4', 'test');
    await Promise.all([bad.handle(event), bad.handle(event)]);
    expect(calls).toBe(2);
    const failed = published.filter((e) => e.type === 'task.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ attempts: 2, error: { message: 'boom' } });
    expect((await store.statuses('c', 'r4', ['a'])).get('a')).toMatchObject({ state: 'failed', error: 'Error: boom' });
  });

  test('GIVEN a task function that throws before returning a promise WHEN run THEN each attempt is announced and counts as failed', async () => {
    // GIVEN a plain (non-async) function that throws at once
    const published: CloudEvent[] = [];
    const bad = runner('a', [], (() => {
      throw new RangeError('no input');
    }) as unknown as TaskFunction, published);
    // WHEN the run starts
    await bad.handle(runRequested('c', 'r4b', 'test'));
    // THEN both attempts were announced and one task.failed carries the error
    expect(published.filter((e) => e.type === 'task.started')).toHaveLength(2);
    expect(published.filter((e) => e.type === 'task.failed').map((e) => e.data)).toEqual([expect.objectContaining({ attempts: 2, error: { name: 'RangeError', message: 'no input' } })]);
  });

  test('GIVEN a task returning data instead of a pointer WHEN run THEN it fails with a clear error', async () => {
    const published: CloudEvent[] = [];
    const bad = runner('a', [], async () => ({ rows: [1, 2, 3] }) as never, published);
    await bad.handle(runRequested('c', 'r5', 'test'));
    expect(published.find((e) => e.type === 'task.failed')?.data).toMatchObject({ error: { message: expect.stringMatching(/must return a result pointer/) } });
  });

  test('GIVEN the broker is down while the task runs WHEN the record is retried THEN the task ran once and task.started goes out late, before its outcome', async () => {
    // GIVEN
    const published: CloudEvent[] = [];
    let calls = 0;
    let brokerDown = true;
    const flaky = new TaskRunner({ chain: 'c', task: 'a', dependsOn: [], maxAttempts: 1, retryBaseMs: 10, defaultLeaseMs: 60_000 }, async () => ({ uri: `mem://a/${++calls}` }), store, async (_r, e) => {
      if (brokerDown) throw new Error('broker down');
      published.push(...e);
    }, quiet);
    const event = runRequested('c', 'r6', 'test');
    // WHEN
    await expect(flaky.handle(event)).rejects.toThrow(/broker down/);
    await expect(flaky.handle(event)).rejects.toThrow(/broker down/);
    brokerDown = false;
    await flaky.handle(event);
    await flaky.handle(event);
    // THEN
    expect(calls).toBe(1);
    expect(published.map((e) => e.type)).toEqual(['task.started', 'task.succeeded']);
    expect((await store.readClaim('c', 'r6', 'a', 0))).toMatchObject({ state: 'succeeded', published: true });
  });

  test('GIVEN the store fails to record the outcome WHEN the record is retried in the same container THEN the outcome is recorded and published without running the task again', async () => {
    // GIVEN: the outcome's store writes fail twice (DynamoDB unreachable), then work again
    const published: CloudEvent[] = [];
    let calls = 0;
    let failures = 2;
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const flakyStore = new JoinStore(db, table);
    const finishClaim = flakyStore.finishClaim.bind(flakyStore);
    flakyStore.finishClaim = async (...args) => (failures-- > 0 ? Promise.reject(unreachable) : finishClaim(...args));
    const root = new TaskRunner({ chain: 'c', task: 'a', dependsOn: [], maxAttempts: 1, retryBaseMs: 10, defaultLeaseMs: 60_000 }, async () => ({ uri: `mem://a/${++calls}` }), flakyStore, async (_r, e) => void published.push(...e), quiet);
    const event = runRequested('c', 'r6b', 'test');
    // WHEN
    await expect(root.handle(event)).rejects.toThrow(/ECONNREFUSED/);
    await expect(root.handle(event)).rejects.toThrow(/ECONNREFUSED/);
    await root.handle(event);
    await root.handle(event);
    // THEN
    expect(calls).toBe(1);
    expect(published.map((e) => e.type)).toEqual(['task.started', 'task.succeeded']);
    expect((await store.readClaim('c', 'r6b', 'a', 0))).toMatchObject({ state: 'succeeded', published: true });
  });

  test('GIVEN the broker fails after the outcome is stored WHEN the record is retried THEN the stored outcome is published without running the task again', async () => {
    const published: CloudEvent[] = [];
    let calls = 0;
    let brokerDown = true;
    const flaky = new TaskRunner({ chain: 'c', task: 'a', dependsOn: [], maxAttempts: 1, retryBaseMs: 10, defaultLeaseMs: 60_000 }, async () => ({ uri: `mem://a/${++calls}` }), store, async (_r, e) => {
      if (brokerDown && e[0].type === 'task.succeeded') throw new Error('broker down');
      published.push(...e);
    }, quiet);
    const event = runRequested('c', 'r7', 'test');
    await expect(flaky.handle(event)).rejects.toThrow(/broker down/);
    brokerDown = false;
    await flaky.handle(event);
    await flaky.handle(event);
    expect(calls).toBe(1);
    expect(published.filter((e) => e.type === 'task.succeeded').map((e) => (e.data as { result: unknown }).result)).toEqual([{ uri: 'mem://a/1' }]);
  });

  /** A claim whose function stored the outcome and died before publishing it. */
  const diedBeforePublishing = async (runId: string, holdMs: number) => {
    await store.claim('c', runId, 'a', 0, 'dead-owner', 60_000);
    await store.putStatus('c', runId, { task: 'a', state: 'succeeded', generation: 0, attempt: 1, startedAt: 's', finishedAt: 'f', result: { uri: `mem://${runId}/a` } });
    const outcome = taskSucceeded({ chain: 'c', runid: runId, task: 'a', generation: 0, attempt: 1 }, { result: { uri: `mem://${runId}/a` }, startedAt: 's', finishedAt: 'f' });
    await store.finishClaim('c', runId, 'a', 0, 'dead-owner', 'succeeded', holdMs, [outcome]);
  };

  test('GIVEN an outcome stored but never published, its hold run out, WHEN 5 redeliveries race THEN it is published once, without running the task', async () => {
    // GIVEN
    await diedBeforePublishing('r8', 0);
    const published: CloudEvent[] = [];
    let calls = 0;
    const root = runner('a', [], async () => ({ uri: `mem://${++calls}` }), published);
    // WHEN
    await Promise.all(Array.from({ length: 5 }, () => root.handle(runRequested('c', 'r8', 'test'))));
    // THEN
    expect(calls).toBe(0);
    expect(published.map((e) => [e.type, (e.data as { result: unknown }).result])).toEqual([['task.succeeded', { uri: 'mem://r8/a' }]]);
    expect((await store.readClaim('c', 'r8', 'a', 0))?.published).toBe(true);
  });

  test('GIVEN an outcome whose publisher still holds it WHEN a redelivery has too little time to wait THEN it throws for a retry instead of dropping or duplicating it', async () => {
    // GIVEN
    await diedBeforePublishing('r9', 60_000);
    const published: CloudEvent[] = [];
    const root = runner('a', [], async () => ({ uri: 'mem://x' }), published);
    // WHEN / THEN
    await expect(root.handle(runRequested('c', 'r9', 'test'), () => 5_000)).rejects.toThrow(/outcome of task "a" for run r9 is still being published/);
    expect(published).toEqual([]);
    expect((await store.readClaim('c', 'r9', 'a', 0))?.published).toBe(false);
  });
});
