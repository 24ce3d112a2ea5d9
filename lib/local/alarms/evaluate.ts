import { AlarmModel, COMPARISONS } from './alarm-model';

/**
 * CloudWatch's evaluation of a metric alarm, as a pure function over the datapoints of its
 * evaluation range (one value per period, oldest first, `undefined` where the period has none).
 *
 * - No datapoint of the last `EvaluationPeriods` missing: those are evaluated.
 * - Some missing, but at least `EvaluationPeriods` datapoints in the range: the most recent that
 *   many real datapoints are evaluated; the missing-data treatment is not used.
 * - Fewer real datapoints: the treatment decides — `breaching` / `notBreaching` fill the missing
 *   periods with bad / good points; `ignore` keeps the state; `missing` evaluates the real points
 *   alone and, with none at all, goes to INSUFFICIENT_DATA.
 *
 * ALARM when at least `DatapointsToAlarm` of the evaluated points breach, else OK.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-evaluation.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * Periods CloudWatch retrieves beyond `EvaluationPeriods` (the "evaluation range"). AWS does not
 * publish the number; its worked example uses 5 for 3 evaluation periods.
 */
export const EXTRA_RANGE_PERIODS = 2;

/** The alarm fields evaluation reads. */
export type EvaluatedAlarm = Pick<AlarmModel, 'threshold' | 'comparison' | 'evaluationPeriods' | 'datapointsToAlarm' | 'treatMissingData'>;

/** The state the alarm goes to, and why (in the words of CloudWatch's StateReason). */
export function evaluate(alarm: EvaluatedAlarm, range: readonly (number | undefined)[], current: AlarmState): { state: AlarmState; reason: string } {
  const n = alarm.evaluationPeriods;
  const breaches = (v: number) => COMPARISONS[alarm.comparison](v, alarm.threshold);
  const real = range.filter((v): v is number => v !== undefined);
  const latest = range.slice(-n);
  const judge = (points: readonly number[], extraBreaching: number, extraGood: number, needed = alarm.datapointsToAlarm) => {
    const breaching = points.filter(breaches).length + extraBreaching;
    const total = points.length + extraBreaching + extraGood;
    const state: AlarmState = breaching >= needed ? 'ALARM' : 'OK';
    const filled = extraBreaching + extraGood > 0 ? ` (${extraBreaching + extraGood} missing treated as ${extraBreaching ? 'breaching' : 'not breaching'})` : '';
    const verb = breaching === 1 ? 'was' : 'were';
    return { state, reason: `Threshold ${state === 'ALARM' ? 'Crossed' : 'not crossed'}: ${breaching} out of the last ${total} datapoints [${points.map(format).join(', ')}]${filled} ${verb} ${describeComparison(alarm.comparison)} the threshold (${format(alarm.threshold)}) (minimum ${needed} datapoint${needed === 1 ? '' : 's'} for ALARM).` };
  };
  if (latest.length === n && latest.every((v) => v !== undefined)) return judge(latest as number[], 0, 0);
  if (real.length >= n) return judge(real.slice(-n), 0, 0);
  const missing = n - real.length;
  switch (alarm.treatMissingData) {
    case 'breaching': return judge(real, missing, 0);
    case 'notBreaching': return judge(real, 0, missing);
    case 'ignore': return { state: current, reason: `${missing} of ${n} datapoints missing: state kept (treat missing data: ignore).` };
    case 'missing':
    default:
      if (real.length === 0) return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${range.length} datapoints were unknown.` };
      return judge(real, 0, 0, Math.min(alarm.datapointsToAlarm, real.length));
  }
}

/** A statistic over one period's samples; undefined when the period has none. */
export function statisticOf(samples: readonly number[], statistic: string): number | undefined {
  if (samples.length === 0) return undefined;
  switch (statistic) {
    case 'SampleCount': return samples.length;
    case 'Sum': return samples.reduce((a, b) => a + b, 0);
    case 'Average': return samples.reduce((a, b) => a + b, 0) / samples.length;
    case 'Minimum': return Math.min(...samples);
    case 'Maximum': return Math.max(...samples);
    default: {
      // pNN: nearest rank over the raw samples (CloudWatch approximates percentiles over its own buckets).
      const p = Number(statistic.slice(1));
      const sorted = [...samples].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
    }
  }
}

function describeComparison(c: EvaluatedAlarm['comparison']): string {
  return { GreaterThanOrEqualToThreshold: 'greater than or equal to', GreaterThanThreshold: 'greater than', LessThanThreshold: 'less than', LessThanOrEqualToThreshold: 'less than or equal to' }[c];
}

function format(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(Number(v.toFixed(4)));
}
