/**
 * What the checks and the local alarms cost: `msk-pipelines check` over the synthesized example app
 * (bundles included), the MskPipelinesChecks cdk-nag pack over its construct tree next to cdk-nag's
 * own AwsSolutions pack on the same tree, and the alarm evaluator's per-line and per-tick work.
 * Needs no service. Writes bench/results/checks.json.
 *
 *   npx tsx bench/checks.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { emitDeadLettered } from '../lambdas/runtime/metrics';
import { MskPipelinesChecks } from '../lib/checks';
import { checkAssembly } from '../lib/cli/check';
import { buildApp } from '../lib/examples';
import { AlarmEvaluator, assemblyAlarms, readEmf } from '../lib/local/alarms';
import { loadAssembly } from '../lib/local/emulator/assembly';
import { runBenchmark, stats, writeResult } from './support/stats';

const RUNS = Number(process.env.RUNS ?? 5);
const LINES = Number(process.env.LINES ?? 100_000);

/** Wall-clock milliseconds of each of `runs` calls of `work`. */
function timed(runs: number, work: () => unknown): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    work();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  // The example app as `cdk synth` writes it (bundles included), without the nag plugins.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-checks-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  buildApp(app, { nag: false });
  const synthStart = performance.now();
  app.synth();
  const synthMs = performance.now() - synthStart; // templates only: the functions were bundled while the app was built

  const check = checkAssembly(outdir);
  const checkMs = stats(timed(RUNS, () => checkAssembly(outdir)));
  const mskPackMs = stats(timed(RUNS, () => new MskPipelinesChecks().validateScope(app)));
  const awsSolutionsMs = stats(timed(RUNS, () => new AwsSolutionsChecks().validateScope(app)));

  // The evaluator: a plain JSON log line (most lines), an EMF line, and JSON.parse as the floor.
  const emf = (() => { let l = ''; emitDeadLettered('billing', 1, (x) => { l = x; }); return l; })();
  const plain = JSON.stringify({ level: 'INFO', message: 'real-estate promotion', timestamp: new Date().toISOString(), service: 'real-estate', postId: 'p-1', outcome: 'pinned' });
  const perLineUs = (work: () => unknown) => (Math.min(...timed(3, () => { for (let i = 0; i < LINES; i++) work(); })) * 1000) / LINES;
  const readEmfPlainUs = perLineUs(() => readEmf(plain));
  const readEmfUs = perLineUs(() => readEmf(emf));
  const jsonParseUs = perLineUs(() => JSON.parse(emf));

  // One tick over the example app's alarms with a period's worth of samples per watched metric.
  const model = loadAssembly(outdir, { kafkaBrokers: '', dynamodbEndpoint: '' });
  const alarms = assemblyAlarms(model);
  let now = Date.now();
  const evaluator = new AlarmEvaluator(alarms, { timeScale: 60, now: () => now });
  for (const fn of model.functions) {
    for (let i = 0; i < 1000; i++) evaluator.recordInvocation({ functionName: fn.name, start: new Date(now).toISOString(), durationMs: 10, outcome: 'succeeded' });
  }
  now += 1100;
  const tickMs = stats(timed(1, () => evaluator.tick()));

  fs.rmSync(outdir, { recursive: true, force: true });
  writeResult('checks', {
    date: new Date().toISOString(),
    exampleApp: { stacks: check.stacks.length, rules: check.rules.length, findings: check.findings.length, synthMs: Math.round(synthMs) },
    checkMs,
    nagPackMs: { mskPipelines: mskPackMs, awsSolutions: awsSolutionsMs },
    alarms: {
      count: alarms.length,
      readEmfPlainLineUs: Number(readEmfPlainUs.toFixed(3)),
      readEmfLineUs: Number(readEmfUs.toFixed(3)),
      jsonParseEmfLineUs: Number(jsonParseUs.toFixed(3)),
      tickWith1000InvocationsPerFunctionMs: tickMs.p50,
      invocationsRecorded: 1000 * model.functions.length,
    },
  });
}

runBenchmark(main);
