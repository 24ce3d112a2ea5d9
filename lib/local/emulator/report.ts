import * as fs from 'fs';
import * as path from 'path';
import type { AlarmEvaluator } from '../alarms/alarm-evaluator';
import type { InvocationRecord } from './mapping-runner';

/** Counts over a run's invocations. */
export interface ReportSummary {
  readonly total: number;
  readonly byOutcome: Record<string, number>;
  /** Outcome counts per function name. */
  readonly byFunction: Record<string, Record<string, number>>;
  readonly allSucceeded: boolean;
}

/** What `Emulator.report()` returns and `.local/report.json` holds. */
export interface EmulatorReport {
  readonly invocations: InvocationRecord[];
  readonly summary: ReportSummary;
  /** The alarms' states and transitions; absent when alarms were not evaluated. */
  readonly alarms?: ReturnType<AlarmEvaluator['report']>;
}

/** The report of a run: every invocation, and counts by outcome and by function. */
export function buildReport(invocations: InvocationRecord[], alarms?: AlarmEvaluator): EmulatorReport {
  const byOutcome: Record<string, number> = {};
  const byFunction: Record<string, Record<string, number>> = {};
  for (const i of invocations) {
    byOutcome[i.outcome] = (byOutcome[i.outcome] ?? 0) + 1;
    const f = (byFunction[i.functionName] ??= {});
    f[i.outcome] = (f[i.outcome] ?? 0) + 1;
  }
  return {
    invocations,
    summary: { total: invocations.length, byOutcome, byFunction, allSucceeded: invocations.every((i) => i.outcome === 'succeeded') },
    alarms: alarms?.report(),
  };
}

/** Writes `report` as indented JSON, creating the file's directory. */
export function writeReport(file: string, report: EmulatorReport): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
