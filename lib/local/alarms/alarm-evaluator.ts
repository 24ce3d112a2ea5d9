import type { LogFields } from '../emulator/logger';
import { AlarmModel, metricId } from './alarm-model';
import { readEmf } from './emf';
import { AlarmState, evaluate, EXTRA_RANGE_PERIODS, statisticOf } from './evaluate';
import { MetricStore } from './metric-store';

/** An alarm that changed state, as the event feed, the log and the report carry it. */
export interface AlarmStateChange {
  /** The alarm's name (`AlarmName`, else `<stack>-<logical id>`). */
  readonly alarm: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly reason: string;
  /** Wall-clock time of the change. */
  readonly time: string;
  /** The end of the evaluated periods on the alarms' (scaled) clock. */
  readonly metricTime: string;
  /** How many actions CloudWatch would run (SNS topics, functions…); local mode runs none. */
  readonly actions: number;
}

/** Where an alarm stands. */
export interface AlarmStatus {
  readonly alarm: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly state: AlarmState;
  readonly reason: string;
  /** `<namespace> <metric> {dimensions} <statistic>/<period>s <comparison> <threshold>`. */
  readonly watches: string;
  /** Why local mode does not evaluate it. */
  readonly unsupported?: string;
}

/** A finished invocation, as the Lambda metrics count it. */
export interface InvocationSample {
  readonly functionName: string;
  /** ISO time the invocation started (Lambda stamps its metrics with it). */
  readonly start: string;
  readonly durationMs: number;
  readonly outcome: string;
}

/** How the evaluator runs. */
export interface AlarmEvaluatorOptions {
  /**
   * How much faster the alarms' clock runs than the wall clock: 60 makes a 5-minute period pass
   * in 5 s (metric timestamps are scaled alike).
   * @default 1
   */
  readonly timeScale?: number;
  /** The wall clock. @default Date.now */
  readonly now?: () => number;
  /** Each mapping's lag, by its function's name (the source of `AWS/Lambda OffsetLag`). @default none */
  readonly lags?: () => Promise<ReadonlyArray<{ functionName: string; lag: number }>>;
  /** Called on every state change. @default - none (the changes are in `report()`) */
  readonly onChange?: (change: AlarmStateChange) => void;
  /** Called with what the evaluator has to say besides state changes (EMF documents CloudWatch would reject): a fixed message and its fields. @default - none */
  readonly onNote?: (message: string, fields: LogFields) => void;
}

/** CloudWatch evaluates metric alarms once a minute; the local clock ticks at least this often (wall clock). */
const MIN_TICK_MS = 25;
const MAX_TICK_MS = 10_000;
/** Lambda reports OffsetLag about once a minute; locally it is sampled at most once a wall-clock second. */
const MIN_LAG_SAMPLE_MS = 1000;
const LAMBDA = 'AWS/Lambda';

/**
 * Evaluates the `AWS::CloudWatch::Alarm`s of an assembly against the metrics a local run produces:
 * the Lambda metrics of each invocation (Invocations, Errors, Duration by FunctionName), the
 * consumer lag of each mapping (OffsetLag by FunctionName) and the EMF lines functions print.
 * Periods are aligned to the evaluator's start; each alarm is evaluated whenever one of its
 * periods completes, over its evaluation range (`evaluate`).
 */
export class AlarmEvaluator {
  readonly changes: AlarmStateChange[] = [];
  private readonly store: MetricStore;
  private readonly origin: number;
  private readonly scale: number;
  private readonly now: () => number;
  private readonly state = new Map<AlarmModel, { state: AlarmState; reason: string; evaluated: number }>();
  private readonly noted = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private sampling = false;

  constructor(readonly alarms: readonly AlarmModel[], private readonly options: AlarmEvaluatorOptions = {}) {
    this.scale = options.timeScale ?? 1;
    if (!(this.scale >= 1 && this.scale <= 100_000)) throw new Error(`alarmTimeScale must be a number from 1 to 100000, got ${options.timeScale}`);
    this.now = options.now ?? Date.now;
    this.origin = this.now();
    this.store = new MetricStore(new Set(alarms.map((a) => metricId(a.namespace, a.metricName, a.dimensions))));
    for (const a of alarms) this.state.set(a, { state: 'INSUFFICIENT_DATA', reason: a.unsupported ?? 'Unchecked: Initial alarm creation', evaluated: 0 });
  }

  /** Starts the clock: evaluations, and lag samples when an alarm watches OffsetLag. */
  start(): void {
    const tick = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, 10_000 / this.scale));
    this.timers.push(setInterval(() => this.tick(), tick));
    if (this.options.lags && this.alarms.some((a) => a.namespace === LAMBDA && a.metricName === 'OffsetLag')) {
      this.timers.push(setInterval(() => void this.sampleLags(), Math.max(MIN_LAG_SAMPLE_MS, 60_000 / this.scale)));
    }
    for (const t of this.timers) t.unref();
  }

  /** Stops the clock after a last evaluation of the periods completed so far. */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.tick();
  }

  /** Records an invocation's Lambda metrics, by function and across functions (as Lambda publishes them). */
  recordInvocation(i: InvocationSample): void {
    const time = this.clock(Date.parse(i.start));
    const error = i.outcome === 'failed' || i.outcome === 'timed-out' ? 1 : 0;
    const byFunction: Record<string, string> = { FunctionName: i.functionName };
    for (const dims of [byFunction, {}]) {
      this.store.add(metricId(LAMBDA, 'Invocations', dims), time, 1, 'Count');
      this.store.add(metricId(LAMBDA, 'Errors', dims), time, error, 'Count');
      this.store.add(metricId(LAMBDA, 'Duration', dims), time, i.durationMs, 'Milliseconds');
    }
  }

  /** Records the metrics of a function's EMF line (other lines are ignored). */
  recordLog(functionName: string, line: string): void {
    const emf = readEmf(line);
    if (emf.kind === 'invalid') {
      const note = `${functionName}: ${emf.reason}`;
      if (!this.noted.has(note)) this.options.onNote?.('EMF line not extracted (CloudWatch would reject it)', { function: functionName, reason: emf.reason });
      this.noted.add(note);
      return;
    }
    if (emf.kind !== 'metrics') return;
    for (const m of emf.metrics) {
      for (const v of m.values) this.store.add(metricId(m.namespace, m.metricName, m.dimensions), this.clock(m.timestamp), v, m.unit);
    }
  }

  /**
   * Evaluates each alarm once per period completed since its last evaluation, in order, so that a
   * state held for one period only is not skipped when the clock jumps.
   */
  tick(): void {
    const virtualNow = this.clock(this.now());
    let oldest = virtualNow;
    for (const alarm of this.alarms) {
      if (alarm.unsupported) continue;
      const periodMs = alarm.period * 1000;
      const completed = Math.floor((virtualNow - this.origin) / periodMs);
      const span = alarm.evaluationPeriods + EXTRA_RANGE_PERIODS;
      oldest = Math.min(oldest, this.origin + (completed - span) * periodMs);
      for (let end = Math.max(this.state.get(alarm)!.evaluated + 1, completed - span); end <= completed; end++) this.evaluateAt(alarm, end);
    }
    this.store.prune(oldest);
  }

  /** Evaluates `alarm` over the periods that end with period number `end` (counted from the start). */
  private evaluateAt(alarm: AlarmModel, end: number): void {
    const periodMs = alarm.period * 1000;
    const current = this.state.get(alarm)!;
    const id = metricId(alarm.namespace, alarm.metricName, alarm.dimensions);
    const range: Array<number | undefined> = [];
    for (let k = end - alarm.evaluationPeriods - EXTRA_RANGE_PERIODS; k < end; k++) {
      const from = this.origin + k * periodMs;
      range.push(k < 0 ? undefined : statisticOf(this.store.values(id, from, from + periodMs, alarm.unit), alarm.statistic));
    }
    const next = evaluate(alarm, range, current.state);
    this.state.set(alarm, { ...next, evaluated: end });
    if (next.state === current.state) return;
    const change: AlarmStateChange = {
      alarm: alarm.name,
      stack: alarm.stack,
      logicalId: alarm.logicalId,
      from: current.state,
      to: next.state,
      reason: next.reason,
      time: new Date(this.now()).toISOString(),
      metricTime: new Date(this.origin + end * periodMs).toISOString(),
      actions: alarm.alarmActions.length,
    };
    this.changes.push(change);
    this.options.onChange?.(change);
  }

  /** Every alarm's state, reason and what it watches. */
  statuses(): AlarmStatus[] {
    return this.alarms.map((a) => {
      const s = this.state.get(a)!;
      const dims = Object.entries(a.dimensions).map(([k, v]) => `${k}=${v}`).join(', ');
      const watched = this.store.seen.has(metricId(a.namespace, a.metricName, a.dimensions));
      return {
        alarm: a.name,
        stack: a.stack,
        logicalId: a.logicalId,
        state: s.state,
        reason: s.state === 'INSUFFICIENT_DATA' && !a.unsupported && !watched ? `${s.reason} No datapoint of this metric was recorded in the run.` : s.reason,
        watches: `${a.namespace} ${a.metricName} {${dims}} ${a.statistic}/${a.period}s ${a.comparison} ${a.threshold}`,
        unsupported: a.unsupported,
      };
    });
  }

  /** What `.local/report.json` holds about alarms. */
  report(): { timeScale: number; states: AlarmStatus[]; changes: AlarmStateChange[] } {
    return { timeScale: this.scale, states: this.statuses(), changes: this.changes };
  }

  /** A wall-clock time on the alarms' clock. */
  private clock(t: number): number {
    return this.origin + (t - this.origin) * this.scale;
  }

  private async sampleLags(): Promise<void> {
    if (this.sampling || !this.options.lags) return;
    this.sampling = true;
    try {
      const time = this.clock(this.now());
      for (const { functionName, lag } of await this.options.lags()) {
        this.store.add(metricId(LAMBDA, 'OffsetLag', { FunctionName: functionName }), time, lag, 'Count');
      }
    } catch {
      // A lag that cannot be read (the broker restarting, the run stopping) is a missing datapoint, as on AWS.
    } finally {
      this.sampling = false;
    }
  }
}
