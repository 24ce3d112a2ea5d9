/**
 * The `AWS::CloudWatch::Alarm` resources of a cloud assembly, as the local evaluator runs them:
 * every property CloudWatch evaluates a metric alarm by, references resolved to local names (a
 * function's `Ref` is its local function name, which the emulator's Lambda metrics carry).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-alarm.html
 */

/** How CloudWatch treats a period without a datapoint. */
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';

/** The comparisons a static-threshold alarm may use. */
export const COMPARISONS = {
  GreaterThanOrEqualToThreshold: (v: number, t: number) => v >= t,
  GreaterThanThreshold: (v: number, t: number) => v > t,
  LessThanThreshold: (v: number, t: number) => v < t,
  LessThanOrEqualToThreshold: (v: number, t: number) => v <= t,
} as const;

export type Comparison = keyof typeof COMPARISONS;

/** One metric alarm. */
export interface AlarmModel {
  /** `<stack>/<logical id>`. */
  readonly key: string;
  readonly stack: string;
  readonly logicalId: string;
  /** `AlarmName`, else `<stack>-<logical id>` (CloudFormation generates one alike). */
  readonly name: string;
  readonly description?: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Statistic` (SampleCount, Average, Sum, Minimum, Maximum) or `ExtendedStatistic` (pNN, pNN.NN). */
  readonly statistic: string;
  /** Seconds. */
  readonly period: number;
  /** Only datapoints of this unit count, when set. */
  readonly unit?: string;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly evaluationPeriods: number;
  /** The breaching datapoints among `evaluationPeriods` that make ALARM (default: all of them). */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  readonly alarmActions: readonly unknown[];
  /** Why local mode does not evaluate this alarm (it then stays INSUFFICIENT_DATA). */
  readonly unsupported?: string;
}

const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const TREATMENTS: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

/**
 * Reads one alarm from its properties, already resolved. A metric-math alarm is evaluated when its
 * one returned query is a plain metric (`MetricStat`); an expression, an anomaly band or an unknown
 * statistic is recorded as `unsupported`.
 */
export function readAlarm(stack: string, logicalId: string, p: Record<string, any>): AlarmModel {
  let metric = { namespace: p.Namespace, metricName: p.MetricName, dimensions: p.Dimensions, statistic: p.ExtendedStatistic ?? p.Statistic, period: p.Period, unit: p.Unit };
  let unsupported: string | undefined;
  if (p.MetricName === undefined && Array.isArray(p.Metrics)) {
    const returned = p.Metrics.filter((q: any) => q.ReturnData !== false);
    const stat = returned.length === 1 ? returned[0].MetricStat : undefined;
    if (stat && !p.Metrics.some((q: any) => q.Expression !== undefined)) {
      metric = { namespace: stat.Metric?.Namespace, metricName: stat.Metric?.MetricName, dimensions: stat.Metric?.Dimensions, statistic: stat.Stat, period: stat.Period, unit: stat.Unit };
    } else {
      unsupported = 'metric math with expressions is not evaluated locally';
    }
  }
  const comparison = String(p.ComparisonOperator);
  if (!unsupported && !(comparison in COMPARISONS)) unsupported = `comparison ${comparison} (anomaly detection bands) is not evaluated locally`;
  const statistic = String(metric.statistic ?? '');
  if (!unsupported && !STATISTICS.includes(statistic) && !/^p\d{1,2}(\.\d{1,2})?$|^p100$/.test(statistic)) unsupported = `statistic ${statistic || '(none)'} is not evaluated locally (SampleCount, Average, Sum, Minimum, Maximum and pNN are)`;
  const evaluationPeriods = Number(p.EvaluationPeriods ?? 1);
  const treat = String(p.TreatMissingData ?? 'missing') as TreatMissingData;
  return {
    key: `${stack}/${logicalId}`,
    stack,
    logicalId,
    name: typeof p.AlarmName === 'string' ? p.AlarmName : `${stack}-${logicalId}`,
    description: typeof p.AlarmDescription === 'string' ? p.AlarmDescription : undefined,
    namespace: String(metric.namespace ?? ''),
    metricName: String(metric.metricName ?? ''),
    dimensions: Object.fromEntries((Array.isArray(metric.dimensions) ? metric.dimensions : []).map((d: any) => [String(d.Name), String(d.Value)])),
    statistic,
    period: Number(metric.period ?? 60),
    unit: typeof metric.unit === 'string' ? metric.unit : undefined,
    threshold: Number(p.Threshold ?? 0),
    comparison: comparison as Comparison,
    evaluationPeriods,
    datapointsToAlarm: Number(p.DatapointsToAlarm ?? evaluationPeriods),
    treatMissingData: TREATMENTS.includes(treat) ? treat : 'missing',
    alarmActions: Array.isArray(p.AlarmActions) ? p.AlarmActions : [],
    unsupported,
  };
}

/** A metric's identity (namespace, name, every dimension), the key the metric store files datapoints under. */
export function metricId(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>): string {
  return `${namespace}|${metricName}|${Object.keys(dimensions).sort().map((k) => `${k}=${dimensions[k]}`).join(',')}`;
}
