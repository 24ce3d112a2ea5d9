import * as fs from 'fs';
import * as path from 'path';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { taskMetrics } from '../../lambdas/runtime/chain/metrics';
import { emitDeadLettered } from '../../lambdas/runtime/metrics';
import { buildApp } from '../../lib/examples';

/** A metric as CloudWatch identifies it: namespace, name and the set of dimension names. */
const key = (namespace: string, name: string, dimensions: string[]) => `${namespace} ${name} [${[...dimensions].sort().join(',')}]`;

/** The metrics an EMF line declares (one per name and dimension set). */
function declared(line: string): string[] {
  const doc = JSON.parse(line);
  return doc._aws.CloudWatchMetrics.flatMap((m: any) => m.Metrics.flatMap((metric: any) => m.Dimensions.map((dims: string[]) => key(m.Namespace, metric.Name, dims))));
}

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/**
 * The custom metrics the function code writes: each call of an EMF writer in lambdas/ is replayed
 * through the real writer with the metric names of that call, and the line it writes is read back.
 */
function emittedByRuntime(): Set<string> {
  const lines: string[] = [];
  const write = (l: string) => lines.push(l);
  for (const file of sources(path.join(__dirname, '..', '..', 'lambdas'))) {
    const code = fs.readFileSync(file, 'utf8');
    for (const m of code.matchAll(/taskMetrics\(\s*\w+,\s*(\w+),\s*\{([^}]*)\}/g)) {
      const names = [...m[2].matchAll(/(\w+)\s*:/g)].map((n) => n[1]);
      taskMetrics('chain', m[1] === 'undefined' ? undefined : 'task', Object.fromEntries(names.map((n) => [n, 1])), write);
    }
    if (/\bemitDeadLettered\(/.test(code) && !file.endsWith(path.join('runtime', 'metrics.ts'))) emitDeadLettered('consumer', 1, write);
  }
  return new Set(lines.flatMap(declared));
}

describe('alarms watch metrics the runtime emits', () => {
  test('GIVEN every alarm of the example app on a custom namespace THEN the function code writes that metric with exactly those dimensions', () => {
    // GIVEN
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { stacks } = buildApp(app, { nag: false, simulatedProvider: true });
    const all: Stack[] = stacks.flatMap((s) => [s, ...s.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)]);
    const watched = all.flatMap((s) => Object.values(Template.fromStack(s).findResources('AWS::CloudWatch::Alarm')) as any[])
      .map((a) => a.Properties)
      .filter((p) => !String(p.Namespace).startsWith('AWS/'))
      .map((p) => key(p.Namespace, p.MetricName, (p.Dimensions ?? []).map((d: any) => d.Name)));
    // WHEN
    const emitted = emittedByRuntime();
    // THEN
    expect(watched.length).toBeGreaterThan(10);
    expect(new Set(watched)).toEqual(new Set(['MskPipelines DeadLetteredRecords [service]', 'MskPipelines/Chains TaskFailed [Chain]', 'MskPipelines/Chains DeadlineMissed [Chain]']));
    expect([...new Set(watched)].filter((w) => !emitted.has(w))).toEqual([]);
  });
});
