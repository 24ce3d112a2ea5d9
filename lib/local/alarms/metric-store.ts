/** A sample of one metric: when (on the alarms' clock), how much, in what unit. */
interface Sample {
  readonly time: number;
  readonly value: number;
  readonly unit: string;
}

/**
 * The datapoints the run produced, filed by metric identity (namespace, name, every dimension).
 * Only metrics an alarm watches keep their samples; every identity seen is remembered, so that an
 * alarm left without data can say what was recorded instead.
 */
export class MetricStore {
  private readonly series = new Map<string, Sample[]>();
  /** Every metric identity recorded, watched or not. */
  readonly seen = new Set<string>();

  constructor(private readonly watched: ReadonlySet<string>) {}

  add(id: string, time: number, value: number, unit: string): void {
    this.seen.add(id);
    if (!this.watched.has(id)) return;
    let samples = this.series.get(id);
    if (!samples) this.series.set(id, (samples = []));
    samples.push({ time, value, unit });
  }

  /** The values of `id` in [from, to), of `unit` when given. */
  values(id: string, from: number, to: number, unit?: string): number[] {
    return (this.series.get(id) ?? []).filter((s) => s.time >= from && s.time < to && (unit === undefined || s.unit === unit)).map((s) => s.value);
  }

  /** Forgets samples older than `before`: no alarm's evaluation range reaches them any more. */
  prune(before: number): void {
    for (const [id, samples] of this.series) this.series.set(id, samples.filter((s) => s.time >= before));
  }
}
