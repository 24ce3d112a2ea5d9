/**
 * Reads CloudWatch embedded metric format (EMF) documents from function log lines, as CloudWatch
 * Logs extracts them: the line is one JSON object whose `_aws` member holds a `Timestamp` and
 * `CloudWatchMetrics` directives; each directive names a namespace, dimension sets (lists of root
 * members with string values) and metrics (root members holding a number or an array of up to 100
 * numbers). A document that breaks the specification yields no metric (CloudWatch counts it as an
 * EMF validation error and extracts nothing), and `reason` says why.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** One metric's values from one EMF document. */
export interface MetricDatum {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; empty for a metric without dimensions. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
  /** `Unit` of the metric definition; CloudWatch's default is `None`. */
  readonly unit: string;
  /** `_aws.Timestamp`, milliseconds since the epoch. */
  readonly timestamp: number;
}

/** The outcome of reading one line. */
export type EmfResult = { readonly kind: 'none' } | { readonly kind: 'metrics'; readonly metrics: MetricDatum[] } | { readonly kind: 'invalid'; readonly reason: string };

/** Most dimension keys in one dimension set, and most values per metric member (the specification's limits). */
const MAX_DIMENSIONS = 30;
const MAX_VALUES = 100;

/** The metrics an EMF line declares; `none` for a line that is no EMF document. */
export function readEmf(line: string): EmfResult {
  const text = line.trim();
  // Cheap test first: most lines are plain log lines.
  if (!text.startsWith('{') || !text.includes('"_aws"')) return { kind: 'none' };
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: 'none' };
  }
  const meta = doc?._aws;
  if (meta === null || typeof meta !== 'object' || !Array.isArray(meta.CloudWatchMetrics)) return { kind: 'none' };
  if (typeof meta.Timestamp !== 'number') return invalid('_aws.Timestamp must be a number (milliseconds since the epoch)');
  const metrics: MetricDatum[] = [];
  for (const [i, directive] of meta.CloudWatchMetrics.entries()) {
    const at = `_aws.CloudWatchMetrics[${i}]`;
    if (typeof directive?.Namespace !== 'string' || directive.Namespace.length < 1 || directive.Namespace.length > 1024) return invalid(`${at}.Namespace must be a string of 1 to 1024 characters`);
    if (!Array.isArray(directive.Dimensions)) return invalid(`${at}.Dimensions must be an array of dimension sets`);
    if (!Array.isArray(directive.Metrics)) return invalid(`${at}.Metrics must be an array`);
    const sets: string[][] = directive.Dimensions.length === 0 ? [[]] : directive.Dimensions;
    for (const set of sets) {
      if (!Array.isArray(set) || set.length > MAX_DIMENSIONS) return invalid(`${at}.Dimensions: each dimension set must be an array of at most ${MAX_DIMENSIONS} keys`);
      for (const key of set) {
        if (typeof doc[key] !== 'string') return invalid(`${at}: dimension '${key}' must be a string member of the document, got ${JSON.stringify(doc[key])}`);
      }
    }
    for (const definition of directive.Metrics) {
      const name = definition?.Name;
      if (typeof name !== 'string' || name.length < 1) return invalid(`${at}.Metrics: each metric needs a Name`);
      const member = doc[name];
      const values: unknown[] = Array.isArray(member) ? member : [member];
      if (values.length > MAX_VALUES || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        return invalid(`${at}: metric '${name}' must be a number or an array of at most ${MAX_VALUES} numbers, got ${JSON.stringify(member)}`);
      }
      for (const set of sets) {
        metrics.push({
          namespace: directive.Namespace,
          metricName: name,
          dimensions: Object.fromEntries(set.map((key: string) => [key, doc[key] as string])),
          values: values as number[],
          unit: typeof definition.Unit === 'string' ? definition.Unit : 'None',
          timestamp: meta.Timestamp,
        });
      }
    }
  }
  return { kind: 'metrics', metrics };
}

function invalid(reason: string): EmfResult {
  return { kind: 'invalid', reason };
}
