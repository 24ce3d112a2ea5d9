/** CloudWatch namespace of chain metrics; the construct's alarms read from here. */
export const CHAIN_METRICS_NAMESPACE = 'MskPipelines/Chains';

/**
 * Writes metrics in the CloudWatch embedded metric format: one JSON log line, no API call and
 * no extra client in the function. Dimensions: per chain (what alarms watch) and per task.
 */
export function taskMetrics(chain: string, task: string | undefined, values: Record<string, number>, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  const dimensions = dimensionSets(task);
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

function dimensionSets(task: string | undefined): string[][] {
  return task ? [['Chain'], ['Chain', 'Task']] : [['Chain']];
}

/**
 * The metrics a `taskMetrics(chain, task, …)` call with these metric names writes (one per name and
 * dimension set, as CloudWatch extracts them): what the TaskChain construct declares for the
 * function that makes the call, so that the checks can match its alarms against them.
 */
export function taskMetricIdentities(chain: string, task: string | undefined, names: readonly string[]): Array<{ namespace: string; metricName: string; dimensions: Record<string, string> }> {
  const values: Record<string, string | undefined> = { Chain: chain, Task: task };
  return names.flatMap((metricName) => dimensionSets(task).map((set) => ({
    namespace: CHAIN_METRICS_NAMESPACE,
    metricName,
    dimensions: Object.fromEntries(set.map((d) => [d, values[d]!])),
  })));
}
