import { emittedMetricsOf, metricKey } from '../emitted-metrics';
import type { ResourceView, Rule, RuleContext } from '../rule';
import { describe } from '../private/resources';

/** A metric an alarm watches: the alarm's own metric, or each metric of its metric math. */
interface WatchedMetric {
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: Record<string, unknown>;
}

/** Alarms on a custom metric that no function of the app emits. */
export const AlarmMetricEmitted: Rule = {
  name: 'AlarmMetricEmitted',
  info: 'The alarm watches a custom metric (not an AWS/ namespace) that no function in view declares with the same namespace, name and dimensions, or whose declaring function\'s bundled code never names it.',
  explanation: 'CloudWatch identifies a metric by namespace, name and all of its dimensions; an alarm on a combination nobody writes never leaves INSUFFICIENT_DATA (or sits in OK with notBreaching) and never fires. Functions declare what their EMF lines emit (declareMetrics(), which the constructs call); the nag pack sees one stack and its nested stacks, `msk-pipelines check` the whole assembly. See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension',
  severity: 'error',
  resourceTypes: ['AWS::CloudWatch::Alarm'],
  check(alarm: ResourceView, context: RuleContext): string[] {
    const functions = context.resources('AWS::Lambda::Function');
    return watchedMetrics(alarm.properties)
      .filter((m) => typeof m.namespace !== 'string' || !m.namespace.startsWith('AWS/'))
      .flatMap((m) => problemsOf(m, functions, context));
  },
};

function problemsOf(metric: WatchedMetric, functions: readonly ResourceView[], context: RuleContext): string[] {
  const key = metricKey(metric.namespace, metric.metricName, metric.dimensions);
  const emitters = functions.filter((fn) => emittedMetricsOf(fn).some((e) => metricKey(e.namespace, e.metricName, e.dimensions) === key));
  const where = context.extent === 'stack' ? 'this stack and its nested stacks' : 'the cloud assembly';
  if (emitters.length === 0) {
    // The closest emitted forms first: most dimensions with the alarm's name and value.
    const closeness = (d: Readonly<Record<string, unknown>>) => Object.entries(metric.dimensions).filter(([k, v]) => k in d && JSON.stringify(d[k]) === JSON.stringify(v)).length;
    const sameName = functions.flatMap((fn) => emittedMetricsOf(fn))
      .filter((e) => e.namespace === metric.namespace && e.metricName === metric.metricName)
      .sort((a, b) => closeness(b.dimensions) - closeness(a.dimensions))
      .map((e) => metricKey(e.namespace, e.metricName, e.dimensions));
    const hint = sameName.length > 0 ? `; emitted only as ${[...new Set(sameName)].slice(0, 3).join(', ')}` : '';
    return [`no function in ${where} emits ${key}${hint}`];
  }
  if (!context.functionCode) return [];
  // The declaration is a promise; the bundle shows whether the code can keep it.
  const named = emitters.filter((fn) => {
    const code = context.functionCode!(fn);
    return code === undefined || namesMetric(code, String(metric.namespace), String(metric.metricName));
  });
  return named.length > 0 ? [] : [`${key} is declared by ${emitters.map(describe).join(', ')}, but no such function's bundled code names ${String(metric.metricName)} in namespace ${String(metric.namespace)}`];
}

function namesMetric(code: string, namespace: string, metricName: string): boolean {
  const word = new RegExp(`(^|[^A-Za-z0-9_$])${metricName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_$]|$)`);
  return code.includes(namespace) && word.test(code);
}

/** The metrics an alarm reads: `Namespace`/`MetricName`/`Dimensions`, or each `MetricStat` of `Metrics`. */
export function watchedMetrics(p: Record<string, any>): WatchedMetric[] {
  const dims = (list: unknown): Record<string, unknown> =>
    Object.fromEntries((Array.isArray(list) ? list : []).map((d: any) => [String(d?.Name), d?.Value]));
  if (p.MetricName !== undefined) return [{ namespace: p.Namespace, metricName: p.MetricName, dimensions: dims(p.Dimensions) }];
  return (Array.isArray(p.Metrics) ? p.Metrics : [])
    .map((q: any) => q?.MetricStat?.Metric)
    .filter((m: any) => m && m.MetricName !== undefined)
    .map((m: any) => ({ namespace: m.Namespace, metricName: m.MetricName, dimensions: dims(m.Dimensions) }));
}
