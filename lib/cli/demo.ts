import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { LOCAL_DIR } from '../local/services';
import { runChainScenarios } from '../local/scenarios/chains';
import { runPostScenario } from '../local/scenarios/posts';
import { runPaymentScenario } from '../local/scenarios/payment';
import { countLines, LocalRun, shown } from './local-run';
import { assemblyOptions, emulatorOptions } from './options';

interface DemoOptions {
  assembly: string;
  appDir: string;
  synth: boolean;
  report: string;
  timeout: string;
  verbose?: boolean;
  keep?: boolean;
  consolePort?: string;
  alarmTimeScale: string;
  networkEnforcement: boolean;
  iamEnforcement: boolean;
  kafkaAclEnforcement: boolean;
}

interface ScenarioOutcome {
  readonly scenario: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly detail: unknown;
  /** One line saying what the scenario proved (or why it failed). */
  readonly headline: string;
  readonly error?: string;
}

/**
 * `msk-pipelines demo` (`npm start`): synthesizes the example app, starts the local services,
 * runs the whole graph in the emulator with the console on a loopback port, and drives the three
 * scenarios through it — both task chains, the post fan-out and the payment callback. The
 * terminal gets progress and a summary; function logs go to `.local/logs/<function>.log`
 * (`--verbose` streams them), every invocation to `.local/report.json`. Exits non-zero when a
 * scenario fails or an invocation did not succeed, so the demo doubles as an end-to-end check.
 */
export function register(program: Command): void {
  const demo = program
    .command('demo')
    .description('run the example scenarios end to end in local mode, with the console; write .local/report.json');
  emulatorOptions(assemblyOptions(demo, 'use the existing cloud assembly instead of synthesizing'))
    .option('--report <file>', 'machine-readable report', path.join(LOCAL_DIR, 'report.json'))
    .option('--timeout <ms>', 'time allowed to each scenario', '180000')
    .option('--verbose', 'stream function and emulator logs and the bundler output to the terminal')
    .option('--keep', 'keep the graph and the console running after the scenarios, until Ctrl-C')
    .option('--console-port <port>', 'port of the console (default: a free port)')
    .action(async (options: DemoOptions) => {
      // Exit explicitly: SDK clients' keep-alive sockets would otherwise hold the process open.
      process.exit(await runDemo(options));
    });
}

async function runDemo(options: DemoOptions): Promise<number> {
  const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);
  const started = new Date();
  const run = await LocalRun.start({
    assembly: options.assembly,
    appDir: options.appDir,
    synth: options.synth,
    verbose: options.verbose,
    consolePort: options.consolePort ? Number(options.consolePort) : undefined,
    alarmTimeScale: Number(options.alarmTimeScale),
    enforceNetwork: options.networkEnforcement,
    enforceIam: options.iamEnforcement,
    enforceKafkaAcls: options.kafkaAclEnforcement,
    handleSignals: !options.keep,
    say,
  });
  const emulator = run.emulator!;
  const scenarios: ScenarioOutcome[] = [];
  // Scenario progress is detail: the terminal gets it when verbose, the log file always.
  const detail = (line: string) => {
    run.logs.write(line, { functionName: 'demo' });
    if (options.verbose) process.stdout.write(`${line}\n`);
  };
  try {
    const timeoutMs = Number(options.timeout);
    say('running the scenarios: task chains, post fan-out, payment callback');
    // The scenarios touch disjoint topics and tables, so they run side by side like real traffic.
    scenarios.push(
      ...(await Promise.all([
        scenario('task chains', async () => {
          const results = await runChainScenarios(emulator, { timeoutMs, log: detail });
          const ok = results.length > 0 && results.every((r) => r.ok);
          return { ok, detail: results, headline: results.map((r) => `${r.chain} ${r.ok ? r.startOrder.join('→') : r.problems.join('; ')}`).join(', ') };
        }),
        scenario('post fan-out', async () => {
          const summary = await runPostScenario(emulator, { dynamodbEndpoint: run.services.dynamodbEndpoint, timeoutMs, log: detail });
          const c = Object.values(summary.consumers);
          return { ok: summary.ok, detail: summary, headline: summary.ok ? `${summary.posts.length} posts, each applied once by ${c.length} consumers; invalid post refused (${summary.rejected.status})` : summary.problems.join('; ') };
        }),
        scenario('payment callback', async () => {
          const result = await runPaymentScenario(emulator, { timeoutMs, log: detail });
          const { keys: _keys, ...shown } = result;
          return { ok: result.status === 'PAID', detail: shown, headline: `order ${result.orderNumber} ${result.status} after ${result.elapsedMs} ms via the verified gateway` };
        }),
      ])),
    );
    await emulator.waitForIdle({ timeoutMs: 60_000 });
  } catch (e) {
    say(`stopped early: ${(e as Error).message}`);
  }
  const counts = await run.counts();
  const failures = run.failures;
  const report = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    ok: scenarios.length === 3 && scenarios.every((s) => s.ok) && failures.length === 0,
    scenarios,
    deadLettered: counts.deadLettered,
    ...emulator.report(),
  };
  fs.mkdirSync(path.dirname(path.resolve(options.report)), { recursive: true });
  fs.writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out('\n== summary');
  for (const s of scenarios) out(`${s.ok ? 'PASS' : 'FAIL'}  ${s.scenario} (${(s.durationMs / 1000).toFixed(1)} s): ${s.error ?? s.headline}`);
  countLines(counts, failures).forEach(out);
  out(`report: ${shown(options.report)}; logs: ${shown(run.logs.dir)}`);
  if (options.keep) {
    out(`console: ${run.console!.url} (running; Ctrl-C stops everything)`);
    await new Promise<void>((resolve) => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
    });
  } else {
    out(`console: ${run.console!.url} (stopped with the demo; --keep keeps it running)`);
  }
  await run.stop();
  return report.ok ? 0 : 1;
}

async function scenario(name: string, work: () => Promise<{ ok: boolean; detail: unknown; headline: string }>): Promise<ScenarioOutcome> {
  const start = Date.now();
  try {
    const { ok, detail, headline } = await work();
    return { scenario: name, ok, durationMs: Date.now() - start, detail, headline };
  } catch (e) {
    return { scenario: name, ok: false, durationMs: Date.now() - start, detail: null, headline: '', error: (e as Error).message };
  }
}
