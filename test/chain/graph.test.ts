import { ChainGraph, timelineText } from '../../lib/chain/graph';

const forkJoin = ChainGraph.of({
  name: 'forkjoin',
  tasks: [
    { name: 'report', entry: 'r.ts', dependsOn: ['users', 'orders'] },
    { name: 'users', entry: 'u.ts', dependsOn: ['extract'] },
    { name: 'orders', entry: 'o.ts', dependsOn: ['extract'] },
    { name: 'extract', entry: 'e.ts' },
    { name: 'audit', entry: 'a.ts', dependsOn: ['extract'] },
  ],
});

describe('ChainGraph', () => {
  test('GIVEN a fork/join chain THEN roots, sinks and the topological order follow the dependencies', () => {
    expect(forkJoin.roots()).toEqual(['extract']);
    expect(forkJoin.sinks()).toEqual(['report', 'audit']);
    const order = forkJoin.topologicalOrder();
    expect(order[0]).toBe('extract');
    expect(order.indexOf('report')).toBeGreaterThan(Math.max(order.indexOf('users'), order.indexOf('orders')));
    expect(forkJoin.depth()).toBe(3);
  });

  test('GIVEN a task WHEN its downstream closure is asked THEN it is the task and everything after it, nothing else', () => {
    expect(forkJoin.downstream('users')).toEqual(['users', 'report']);
    expect(new Set(forkJoin.downstream('extract'))).toEqual(new Set(['extract', 'users', 'orders', 'report', 'audit']));
    expect(forkJoin.downstream('report')).toEqual(['report']);
  });

  test('GIVEN an unknown task THEN asking for it throws naming the tasks', () => {
    expect(() => forkJoin.downstream('nope')).toThrow(/chain "forkjoin" has no task "nope"/);
  });

  test('GIVEN the chain WHEN drawn THEN the Mermaid flowchart has one node per task and one edge per dependency', () => {
    const text = forkJoin.mermaid();
    expect(text.split('\n')[0]).toBe('flowchart LR');
    expect(text).toContain('extract --> users');
    expect(text).toContain('orders --> report');
    expect(text.match(/-->/g)).toHaveLength(5);
  });

  test('GIVEN a schedule and statuses WHEN drawn THEN the schedule and the state classes appear', () => {
    const nightly = ChainGraph.of({
      name: 'nightly',
      schedule: { expression: 'cron(0 2 * * ? *)', timeZone: 'Asia/Shanghai' },
      tasks: [{ name: 'task1', entry: 'a' }, { name: 'task2', entry: 'b', dependsOn: ['task1'] }],
    });
    const text = nightly.mermaid([{ task: 'task1', state: 'succeeded' }, { task: 'task2', state: 'running' }]);
    expect(text).toContain('schedule(["cron(0 2 * * ? *) Asia/Shanghai"])');
    expect(text).toContain('schedule -. run.requested .-> task1');
    expect(text).toContain('class task1 succeeded');
  });
});

describe('timelineText', () => {
  test('GIVEN statuses with times THEN bars are ordered by start and waiting tasks are listed last', () => {
    const text = timelineText(
      [
        { task: 'b', state: 'succeeded', startedAt: '2026-11-24T02:00:01.000Z', finishedAt: '2026-11-24T02:00:02.000Z' },
        { task: 'a', state: 'succeeded', startedAt: '2026-11-24T02:00:00.000Z', finishedAt: '2026-11-24T02:00:01.000Z' },
        { task: 'c', state: 'waiting' },
      ],
      20,
    );
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^a +#/);
    expect(lines[2]).toMatch(/^b +\s+#+/);
    expect(lines[3]).toMatch(/^c +\s+waiting$/);
    expect(text).toContain('+1000ms 1000ms');
  });
});
