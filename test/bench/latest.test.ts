import { gatherLatest, type LatestEntry } from '../../bench/support/latest';

const NAMES = ['services', 'fanout', 'gateway'];

describe('gatherLatest (bench/results/latest.json across partial runs)', () => {
  test('a partial run keeps the figures of the benchmarks it did not run and has no result file for', () => {
    // GIVEN a latest.json with three benchmarks, and a fresh clone with only fanout's result file
    const previous: Record<string, LatestEntry> = {
      services: { file: 'bench/results/services.json', thisRun: true, gatheredAt: '2026-11-30T01:00:00.000Z', result: { kafkaColdStartMs: { median: 2557 } } },
      fanout: { file: 'bench/results/fanout.json', thisRun: true, gatheredAt: '2026-11-30T01:00:00.000Z', result: { floor: { eventsPerSecond: 80 } } },
      gateway: { file: 'bench/results/gateway.json', thisRun: true, result: { results: [] } },
    };
    // WHEN `npm run bench -- fanout` gathers
    const out = gatherLatest({
      names: NAMES,
      runs: { fanout: { exitCode: 0, durationMs: 1000 } },
      date: '2026-11-30T13:00:00.000Z',
      previous,
      readResult: (name) => (name === 'fanout' ? { file: 'bench/results/fanout.json', result: { floor: { eventsPerSecond: 250 } } } : undefined),
    });
    // THEN fanout is this run's, and the two others are kept as they were, marked as not run
    expect(Object.keys(out)).toEqual(NAMES);
    expect(out.fanout).toEqual({ file: 'bench/results/fanout.json', thisRun: true, exitCode: 0, durationMs: 1000, gatheredAt: '2026-11-30T13:00:00.000Z', result: { floor: { eventsPerSecond: 250 } } });
    expect(out.services).toEqual({ ...previous.services, thisRun: false });
    expect(out.gateway).toEqual({ ...previous.gateway, thisRun: false, gatheredAt: 'unknown (before gatheredAt was recorded)' });
  });

  test('a result file on disk wins over the previous latest.json, and a benchmark never measured stays out', () => {
    // GIVEN a gateway result file from an earlier run on this machine, and no services figure anywhere
    const out = gatherLatest({
      names: NAMES,
      runs: {},
      date: '2026-11-30T13:00:00.000Z',
      previous: { gateway: { file: 'bench/results/gateway.json', thisRun: true, result: { old: true } } },
      readResult: (name) => (name === 'gateway' ? { file: 'bench/results/gateway.json', result: { old: false } } : undefined),
    });
    // THEN the file's result is used and services is absent
    expect(out).toEqual({ gateway: { file: 'bench/results/gateway.json', thisRun: false, gatheredAt: '2026-11-30T13:00:00.000Z', result: { old: false } } });
  });
});
