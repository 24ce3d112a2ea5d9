import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { LOCAL_DIR, LocalServices } from '../local/services';
import { synthesizeApp } from '../local/emulator/synth';
import type { Emulator as EmulatorInstance } from '../local/emulator/emulator';
import type { InvocationRecord } from '../local/emulator/mapping-runner';
import { runChainScenarios } from '../local/scenarios/chains';
import { runPostScenario } from '../local/scenarios/posts';
import { runPaymentScenario } from '../local/scenarios/payment';
import { servicesEnv } from './endpoints';
import { loadEmulator } from './emulator-loader';

interface DemoOptions {
  assembly: string;
  appDir: string;
  synth: boolean;
  report: string;
  timeout: string;
}

interface ScenarioOutcome {
  readonly scenario: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly detail: unknown;
  readonly error?: string;
}

/**
 * `msk-pipelines demo` (`npm start`): synthesizes the example app, starts the local services,
 * runs the whole graph in the emulator and drives the three scenarios through it — both task
 * chains, the post fan-out and the payment callback — then prints a summary and writes every
 * invocation to `.local/report.json`. Exits non-zero when a scenario fails or an invocation
 * did not succeed, so the demo doubles as an end-to-end check.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the example scenarios end to end in local mode and write .local/report.json')
    .option('-a, --assembly <dir>', 'cloud assembly directory', 'cdk.out')
    .option('--app-dir <dir>', 'directory of the CDK app (its cdk.json)', '.')
    .option('--no-synth', 'use the existing cloud assembly instead of synthesizing')
    .option('--report <file>', 'machine-readable report', path.join(LOCAL_DIR, 'report.json'))
    .option('--timeout <ms>', 'time allowed to each scenario', '180000')
    .action(async (options: DemoOptions) => {
      // Exit explicitly: SDK clients' keep-alive sockets would otherwise hold the process open.
      process.exit(await runDemo(options));
    });
}

async function runDemo(options: DemoOptions): Promise<number> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const { Emulator } = loadEmulator('demo');
  log('[demo] synthesizing the app…');
  const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth });
  const services = await LocalServices.start({ env: servicesEnv() });
  let emulator: EmulatorInstance | undefined;
  const scenarios: ScenarioOutcome[] = [];
  const started = new Date();
  try {
    log(`[demo] Kafka ${services.kafkaBrokers}, DynamoDB Local ${services.dynamodbEndpoint}`);
    emulator = await Emulator.start({
      assemblyDir: dir,
      services: { kafkaBrokers: services.kafkaBrokers, dynamodbEndpoint: services.dynamodbEndpoint },
      onLog: (line) => log(line),
    });
    emulator.on('invocation', (i: InvocationRecord) => {
      log(`[demo] ${i.outcome === 'succeeded' ? 'ok  ' : 'FAIL'} ${i.functionName} (${i.trigger ?? 'invoke'}, ${i.recordCount} record(s), ${i.durationMs} ms)${i.error ? ` ${i.error}` : ''}`);
    });
    const timeoutMs = Number(options.timeout);
    const running = emulator;
    // The scenarios touch disjoint topics and tables, so they run side by side like real traffic.
    scenarios.push(
      ...(await Promise.all([
        scenario('task chains', async () => {
          const results = await runChainScenarios(running, { timeoutMs, log });
          return { ok: results.length > 0 && results.every((r) => r.ok), detail: results };
        }),
        scenario('post fan-out', async () => {
          const summary = await runPostScenario(running, { dynamodbEndpoint: services.dynamodbEndpoint, timeoutMs, log });
          return { ok: summary.ok, detail: summary };
        }),
        scenario('payment callback', async () => {
          const result = await runPaymentScenario(running, { timeoutMs, log });
          const { keys: _keys, ...shown } = result;
          return { ok: result.status === 'PAID', detail: shown };
        }),
      ])),
    );
    log('[demo] waiting for the graph to settle…');
    await running.waitForIdle({ timeoutMs: 60_000 });
  } finally {
    await emulator?.stop().catch((e: Error) => log(`[demo] ${e.message}`));
    await services.stop().catch((e: Error) => log(`[demo] ${e.message}`));
  }

  const invocations = emulator?.invocations ?? [];
  const failedInvocations = invocations.filter((i) => i.outcome !== 'succeeded');
  const report = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    ok: scenarios.every((s) => s.ok) && failedInvocations.length === 0,
    scenarios,
    ...emulator?.report(),
  };
  fs.mkdirSync(path.dirname(path.resolve(options.report)), { recursive: true });
  fs.writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);

  log('\n== summary');
  for (const s of scenarios) log(`${s.ok ? 'PASS' : 'FAIL'}  ${s.scenario} (${(s.durationMs / 1000).toFixed(1)} s)${s.error ? `: ${s.error}` : ''}`);
  log(`${invocations.length} invocations, ${failedInvocations.length} not succeeded`);
  for (const i of failedInvocations) log(`  ${i.functionName}: ${i.outcome}${i.error ? ` (${i.error})` : ''}`);
  log(`report: ${options.report}`);
  return report.ok ? 0 : 1;
}

async function scenario(name: string, run: () => Promise<{ ok: boolean; detail: unknown }>): Promise<ScenarioOutcome> {
  const start = Date.now();
  try {
    const { ok, detail } = await run();
    return { scenario: name, ok, durationMs: Date.now() - start, detail };
  } catch (e) {
    return { scenario: name, ok: false, durationMs: Date.now() - start, detail: null, error: (e as Error).message };
  }
}
