/**
 * The runtime's own CloudWatch metrics, written as embedded metric format (EMF) log lines: no API
 * call, no client, no VPC endpoint. The KafkaConsumer construct builds its metrics and alarms
 * from these same constants, so an alarm watches exactly what the runtime writes.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const RuntimeMetrics = {
  /** Namespace of the record handler's metrics. */
  NAMESPACE: 'MskPipelines',
  /** Records the record handler sent to the dead-letter destination (Count). */
  DEAD_LETTERED_RECORDS: 'DeadLetteredRecords',
  /** The one dimension: the consumer's name (POWERTOOLS_SERVICE_NAME, set by KafkaConsumer). */
  SERVICE_DIMENSION: 'service',
} as const;

/** Writes one EMF line counting `count` dead-lettered records of consumer `service`. */
export function emitDeadLettered(service: string, count: number, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  write(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{
        Namespace: RuntimeMetrics.NAMESPACE,
        Dimensions: [[RuntimeMetrics.SERVICE_DIMENSION]],
        Metrics: [{ Name: RuntimeMetrics.DEAD_LETTERED_RECORDS, Unit: 'Count' }],
      }],
    },
    [RuntimeMetrics.SERVICE_DIMENSION]: service,
    [RuntimeMetrics.DEAD_LETTERED_RECORDS]: count,
  }));
}

/** The metric `emitDeadLettered(service, …)` writes: what the KafkaConsumer construct declares for its function. */
export function deadLetteredMetricIdentity(service: string): { namespace: string; metricName: string; dimensions: Record<string, string> } {
  return { namespace: RuntimeMetrics.NAMESPACE, metricName: RuntimeMetrics.DEAD_LETTERED_RECORDS, dimensions: { [RuntimeMetrics.SERVICE_DIMENSION]: service } };
}
