/** CloudWatch namespace of chain metrics; the construct's alarms read from here. */
export const CHAIN_METRICS_NAMESPACE = 'MskPipelines/Chains';

/**
 * Writes metrics in the CloudWatch embedded metric format: one JSON log line, no API call and
 * no extra client in the function. Dimensions: per chain (what alarms watch) and per task.
 */
export function taskMetrics(chain: string, task: string | undefined, values: Record<string, number>, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  const dimensions = task ? [['Chain'], ['Chain', 'Task']] : [['Chain']];
  const metrics = Object.keys(values).map((name) => ({ Name: name, Unit: name.endsWith('Duration') ? 'Milliseconds' : 'Count' }));
  write(
    JSON.stringify({
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: CHAIN_METRICS_NAMESPACE, Dimensions: dimensions, Metrics: metrics }] },
      Chain: chain,
      ...(task ? { Task: task } : {}),
      ...values,
    }),
  );
}
