import * as path from 'path';
import { Command } from 'commander';
import { LOCAL_DIR } from '../local/services';
import { describeAssembly } from '../local/emulator/describe';
import { countLines, LocalRun, shown } from './local-run';
import { assemblyOptions, emulatorOptions } from './options';

interface RunOptions {
  assembly: string;
  appDir: string;
  synth: boolean;
  stacks?: string[];
  httpPort?: string;
  consolePort?: string;
  report: string;
  verbose?: boolean;
  alarmTimeScale: string;
  networkEnforcement: boolean;
  iamEnforcement: boolean;
  kafkaAclEnforcement: boolean;
}

/**
 * `msk-pipelines run`: synthesize the app, start (or reuse) the local services, and run the
 * whole graph with the console until Ctrl-C. The terminal gets what was started, the console's
 * URL, the HTTP APIs, each invocation that did not succeed, and a summary on exit; function logs
 * go to `.local/logs/<function>.log` (`--verbose` streams them and lists the whole graph).
 */
export function register(program: Command): void {
  const run = program
    .command('run')
    .description('run the synthesized graph (functions, mappings, HTTP routes, schedules) against local services, with the console');
  emulatorOptions(assemblyOptions(run, 'run the existing cloud assembly instead of synthesizing'))
    .option('--stacks <names...>', 'only these stacks')
    .option('--http-port <port>', 'port of the first HTTP API in assembly order; the others get free ports (default: a free port)')
    .option('--console-port <port>', 'port of the console (default: a free port)')
    .option('--report <file>', 'invocation report written on exit', path.join(LOCAL_DIR, 'report.json'))
    .option('--verbose', 'stream function and emulator logs and the bundler output to the terminal')
    .action(async (options: RunOptions) => {
      const say = (line: string) => process.stdout.write(`[run] ${line}\n`);
      let run: LocalRun | undefined;
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        say('stopping…');
        if (run) {
          const counts = await run.counts();
          countLines(counts, run.failures).forEach((l) => process.stdout.write(`${l}\n`));
          await run.stop();
          say(`report: ${shown(options.report)}`);
        }
        process.exit(code);
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(0));
      try {
        run = await LocalRun.start({
          assembly: options.assembly,
          appDir: options.appDir,
          synth: options.synth,
          stacks: options.stacks,
          httpPort: options.httpPort ? Number(options.httpPort) : undefined,
          consolePort: options.consolePort ? Number(options.consolePort) : undefined,
          reportFile: options.report,
          verbose: options.verbose,
          alarmTimeScale: Number(options.alarmTimeScale),
          enforceNetwork: options.networkEnforcement,
          enforceIam: options.iamEnforcement,
          enforceKafkaAcls: options.kafkaAclEnforcement,
          handleSignals: false,
          say,
        });
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        await stop(1);
        return;
      }
      const emulator = run.emulator!;
      if (options.verbose) process.stdout.write(`${describeAssembly(emulator.assembly, Object.fromEntries(emulator.assembly.apis.map((a) => [a.key, emulator.httpUrlFor(a.key)])))}\n`);
      else for (const r of emulator.assembly.routes) say(`${r.routeKey.padEnd(28)} ${emulator.httpUrlOf(r) ?? '(not served)'}`);
      say(`running; open ${run.console!.url} — Ctrl-C stops everything`);
      emulator.on('invocation', (i) => {
        if (i.outcome !== 'succeeded') say(`${i.functionName} ${i.outcome}${i.error ? `: ${i.error}` : ''}`);
      });
      emulator.on('alarm', (c) => say(`alarm ${c.alarm}: ${c.from} -> ${c.to}`));
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
    });
}
