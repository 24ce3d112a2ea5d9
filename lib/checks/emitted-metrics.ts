import type { ResourceView } from './rule';

/**
 * The custom CloudWatch metrics a function's code emits (embedded metric format lines), as the
 * construct that deploys it declares them in the function resource's template metadata. An alarm
 * on a custom namespace is only useful when some function emits exactly its metric: namespace,
 * name and the same dimensions (names and values), because CloudWatch identifies a metric by all
 * three. The constructs write the declaration from the constants the runtime writes its EMF lines
 * with (`RuntimeMetrics`, `CHAIN_METRICS_NAMESPACE`), and `msk-pipelines check` also looks for each
 * declared name in the function's bundled code.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
 */
export interface EmittedMetric {
  /** CloudWatch namespace the EMF line writes to (e.g. `RuntimeMetrics.NAMESPACE`). */
  readonly namespace: string;
  /** Metric name within the namespace, as the EMF line spells it. */
  readonly metricName: string;
  /** Dimension name → value, exactly as the EMF line sets them (values may be template references). */
  readonly dimensions: Readonly<Record<string, unknown>>;
}

/** Template metadata key of a function's declared metrics (a JSON array of `EmittedMetric`). */
export const EMITTED_METRICS_METADATA = 'msk-pipelines:metrics';

/** The metrics `fn` declares (none when it declares nothing or the metadata is malformed). */
export function emittedMetricsOf(fn: ResourceView): EmittedMetric[] {
  const declared = fn.metadata[EMITTED_METRICS_METADATA];
  if (!Array.isArray(declared)) return [];
  return declared.filter((m): m is EmittedMetric =>
    m !== null && typeof m === 'object' && typeof m.namespace === 'string' && typeof m.metricName === 'string'
    && m.dimensions !== null && typeof m.dimensions === 'object');
}

/** A metric's identity as CloudWatch sees it, for comparison (dimension order does not matter). */
export function metricKey(namespace: unknown, metricName: unknown, dimensions: Readonly<Record<string, unknown>>): string {
  const dims = Object.keys(dimensions).sort().map((k) => `${k}=${canonical(dimensions[k])}`);
  return `${canonical(namespace)} ${canonical(metricName)} {${dims.join(', ')}}`;
}

function canonical(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
