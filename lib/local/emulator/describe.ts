import { AssemblyModel } from './model';

/**
 * A human listing of what a cloud assembly runs locally (the `list` command, and `run` at start).
 * `urls`: base URL of each HTTP API by `<stack>/<logical id>` (`Emulator.httpUrlFor`), when running.
 */
export function describeAssembly(model: AssemblyModel, urls: Readonly<Record<string, string>> = {}): string {
  const lines: string[] = [];
  const section = (title: string, rows: string[]) => {
    lines.push(`${title} (${rows.length})`);
    for (const r of rows) lines.push(`  ${r}`);
  };
  section('Stacks', model.stacks.map((s) => `${s.name}  ${s.region}`));
  section('Topics', model.topics.map((t) => `${t.name}  partitions=${t.partitions > 0 ? t.partitions : 'default'}${Object.keys(t.configs).length ? `  ${Object.entries(t.configs).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}${t.logicalId ? '' : '  (implied)'}`));
  section('Tables', model.tables.map((t) => `${t.name}  key=${t.keySchema.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',')}${t.globalSecondaryIndexes.length ? `  gsi=${t.globalSecondaryIndexes.map((g) => g.IndexName).join(',')}` : ''}${t.ttlAttribute ? `  ttl=${t.ttlAttribute}` : ''}`));
  section('Functions', model.functions.map((f) => `${f.name}  ${f.runtime} ${f.handler} timeout=${f.timeout}s memory=${f.memorySize}MB${f.path ? `  (${f.path})` : ''}`));
  section('Mappings', model.mappings.map((m) => {
    const parts = [
      `${m.topics.join(',')} -> ${m.functionName}`,
      `group=${m.consumerGroupId}`,
      `start=${m.startingPosition}`,
      `batch=${m.batchSize}`,
      `window=${m.batchingWindow}s`,
      `retries=${m.maximumRetryAttempts < 0 ? 'infinite' : m.maximumRetryAttempts}`,
    ];
    if (m.bisectBatchOnFunctionError) parts.push('bisect');
    if (m.reportBatchItemFailures) parts.push('partial-batch');
    if (m.provisionedPollers) parts.push(`pollers=${m.provisionedPollers.minimum ?? '?'}..${m.provisionedPollers.maximum ?? '?'}`);
    if (m.onFailure) parts.push(`on-failure=${m.onFailure.kind === 'kafka' ? `kafka://${m.onFailure.topic}` : m.onFailure.kind === 'sqs' ? `sqs:${m.onFailure.queue}` : m.onFailure.arn}`);
    if (m.filters.length) parts.push(`filters=${JSON.stringify(m.filters)}`);
    if (!m.enabled) parts.push('(disabled)');
    return parts.join('  ');
  }));
  // APIs by stack and logical id: the stacks of one app often share an API's logical id.
  const url = (key: string) => (Object.prototype.hasOwnProperty.call(urls, key) ? `  ${urls[key]}` : '');
  section('HTTP APIs', model.apis.map((a) => `${a.key}  name=${a.name}${url(a.key)}`));
  section('Routes', model.routes.map((r) => `${r.routeKey} -> ${r.functionName}  api=${r.api}${url(r.api)}`));
  section('Schedules', model.schedules.map((s) => `${s.name}  ${s.expression ?? ''}${s.timezone ? ` (${s.timezone})` : ''} -> ${s.functionName ?? '(not a function of the assembly)'}${s.enabled ? '' : '  (disabled)'}`));
  return lines.join('\n');
}
