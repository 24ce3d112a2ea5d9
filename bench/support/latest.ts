/** One benchmark's entry in bench/results/latest.json. */
export interface LatestEntry {
  /** Where the result came from, relative to the repository root. */
  readonly file: string;
  /** Whether the benchmark ran in the `npm run bench` that wrote latest.json. */
  readonly thisRun: boolean;
  readonly exitCode?: number | null;
  readonly durationMs?: number;
  /** Date of the run that wrote latest.json when the result was gathered (kept across partial runs). */
  readonly gatheredAt?: string;
  readonly result: unknown;
}

export interface GatherInput {
  /** Benchmark names in table order. */
  readonly names: readonly string[];
  /** The benchmarks of this run, with how they ended. */
  readonly runs: Readonly<Record<string, { exitCode: number | null; durationMs: number }>>;
  /** The result file of a benchmark, parsed, or undefined when there is none. */
  readonly readResult: (name: string) => { file: string; result: unknown } | undefined;
  /** The `benchmarks` of the latest.json this run replaces. @default none */
  readonly previous?: Readonly<Record<string, LatestEntry>>;
  /** This run's date. */
  readonly date: string;
}

/**
 * The benchmarks latest.json holds after a run: each one from its result file when there is one
 * (this run's, or an earlier run's on this machine), else as the previous latest.json had it. Result files are not committed, so on a fresh clone a
 * partial `npm run bench -- X` would otherwise drop every other benchmark's figures.
 */
export function gatherLatest(input: GatherInput): Record<string, LatestEntry> {
  const out: Record<string, LatestEntry> = {};
  for (const name of input.names) {
    const ran = input.runs[name];
    const fresh = input.readResult(name);
    if (fresh) {
      out[name] = { file: fresh.file, thisRun: ran !== undefined, ...(ran ?? {}), gatheredAt: input.date, result: fresh.result };
    } else if (input.previous?.[name]) {
      // A benchmark that did not run keeps the figures latest.json had, with their own date.
      const kept = input.previous[name];
      out[name] = { ...kept, thisRun: false, gatheredAt: kept.gatheredAt ?? 'unknown (before gatheredAt was recorded)' };
    }
  }
  return out;
}
