import { runRequested, taskRequested } from '../../lambdas/runtime/chain/events';
import { JoinStore } from '../../lambdas/runtime/chain/join-store';
import { ChainGraph } from '../../lib/chain';
import { documentClient, uniqueName } from '../support/services';
import { createJoinTable } from './chain-fixtures';
import { ChainBus } from './chain-bus';

/**
 * Reruns requested while the run is still going, on the join store in DynamoDB Local, with the
 * tasks wired by an in-memory topic (test/chain/chain-bus.ts) so the order of runs is exact.
 */
describe('a rerun while tasks outside its cascade still run', () => {
  const table = uniqueName('chain-rerun');
  const store = new JoinStore(documentClient(), table);

  beforeAll(() => createJoinTable(table));

  // The acceptance run's diamond: ingest → {clean, geo, fx}; {clean, geo} → enrich; {enrich, fx} → publish → notify.
  const diamond = ChainGraph.of({
    name: 'diamond',
    tasks: [
      { name: 'ingest', entry: 'x' },
      { name: 'clean', entry: 'x', dependsOn: ['ingest'] },
      { name: 'geo', entry: 'x', dependsOn: ['ingest'] },
      { name: 'fx', entry: 'x', dependsOn: ['ingest'] },
      { name: 'enrich', entry: 'x', dependsOn: ['clean', 'geo'] },
      { name: 'publish', entry: 'x', dependsOn: ['enrich', 'fx'] },
      { name: 'notify', entry: 'x', dependsOn: ['publish'] },
    ],
  });
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

  test('GIVEN fx still running WHEN enrich is rerun and fx succeeds later THEN enrich, publish and notify run exactly once more, with the new result', async () => {
    // GIVEN a run whose fx is held, so enrich succeeds while publish waits for fx
    const bus = new ChainBus('diamond', diamond.declaration.tasks, store);
    bus.gate('fx');
    bus.send([runRequested('diamond', 'r1', 'test')]);
    await bus.settled();
    expect(bus.generationsOf('enrich')).toEqual([0]);
    expect(bus.generationsOf('publish')).toEqual([]);

    // WHEN enrich is rerun, and fx succeeds only after the rerun's enrich did
    bus.send([taskRequested('diamond', 'r1', 'enrich', diamond.downstream('enrich'), 777)]);
    await bus.settled();
    expect(bus.generationsOf('enrich')).toEqual([0, 777]);
    bus.release('fx');
    await bus.settled();

    // THEN the run finished in generation 0 and the rerun's cascade ran once more, on enrich's new result
    expect(Object.fromEntries(diamond.taskNames.map((t) => [t, sorted(bus.generationsOf(t))]))).toEqual({
      ingest: [0], clean: [0], geo: [0], fx: [0], enrich: [0, 777], publish: [0, 777], notify: [0, 777],
    });
    expect(bus.starts.find((s) => s.task === 'publish' && s.generation === 777)?.inputs).toEqual({ enrich: { uri: 'mem://r1/enrich/777' }, fx: { uri: 'mem://r1/fx/0' } });
    expect(bus.starts.find((s) => s.task === 'notify' && s.generation === 777)?.inputs).toEqual({ publish: { uri: 'mem://r1/publish/777' } });
    const status = await store.statuses('diamond', 'r1', ['publish', 'notify']);
    expect([status.get('publish')?.generation, status.get('notify')?.generation]).toEqual([777, 777]);

    // AND every event delivered again changes nothing (exactly once under duplicates)
    const before = bus.starts.length;
    bus.send([...bus.events]);
    await bus.settled();
    expect(bus.starts).toHaveLength(before);
  });

  test('GIVEN two dependencies outside the cascade still running WHEN they succeed one after the other THEN the rerun of the join starts once, after the last', async () => {
    // GIVEN root → {a, b, c} → j; b and c held
    const graph = ChainGraph.of({
      name: 'wide',
      tasks: [
        { name: 'root', entry: 'x' },
        { name: 'a', entry: 'x', dependsOn: ['root'] },
        { name: 'b', entry: 'x', dependsOn: ['root'] },
        { name: 'c', entry: 'x', dependsOn: ['root'] },
        { name: 'j', entry: 'x', dependsOn: ['a', 'b', 'c'] },
      ],
    });
    const bus = new ChainBus('wide', graph.declaration.tasks, store);
    bus.gate('b');
    bus.gate('c');
    bus.send([runRequested('wide', 'r2', 'test')]);
    await bus.settled();

    // WHEN a is rerun, then b succeeds, then c
    bus.send([taskRequested('wide', 'r2', 'a', graph.downstream('a'), 900)]);
    await bus.settled();
    bus.release('b');
    await bus.settled();
    const afterB = bus.generationsOf('j');
    bus.release('c');
    await bus.settled();

    // THEN j waited for c, then ran once for the run and once for the rerun
    expect(afterB).toEqual([]);
    expect(sorted(bus.generationsOf('j'))).toEqual([0, 900]);
    expect(bus.starts.find((s) => s.task === 'j' && s.generation === 900)?.inputs).toEqual({
      a: { uri: 'mem://r2/a/900' }, b: { uri: 'mem://r2/b/0' }, c: { uri: 'mem://r2/c/0' },
    });
  });
});
