import * as path from 'path';
import { Command } from 'commander';
import { LOCAL_DIR, LocalServices } from '../local/services';
import { describeAssembly } from '../local/emulator/describe';
import { servicesEnv } from './endpoints';
import { loadEmulator } from './emulator-loader';
import { synthesizeApp } from '../local/emulator/synth';
import type { Emulator as EmulatorInstance } from '../local/emulator/emulator';
import type { InvocationRecord } from '../local/emulator/mapping-runner';

interface RunOptions {
  assembly: string;
  appDir: string;
  synth: boolean;
  stacks?: string[];
  httpPort?: string;
  report: string;
}

/**
 * `msk-pipelines run`: synthesize the app, start (or reuse) the local services, and run the
 * whole graph until Ctrl-C; the report of every invocation is written on exit.
 */
export function register(program: Command): void {
  program
    .command('run')
    .description('run the synthesized graph (functions, mappings, HTTP routes, schedules) against local services')
    .option('-a, --assembly <dir>', 'cloud assembly directory', 'cdk.out')
    .option('--app-dir <dir>', 'directory of the CDK app (its cdk.json)', '.')
    .option('--no-synth', 'run the existing cloud assembly instead of synthesizing')
    .option('--stacks <names...>', 'only these stacks')
    .option('--http-port <port>', 'port of the first HTTP API in assembly order; the others get free ports (default: a free port)')
    .option('--report <file>', 'invocation report written on exit', path.join(LOCAL_DIR, 'report.json'))
    .action(async (options: RunOptions) => {
      const { Emulator } = loadEmulator('run');
      const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth });
      // KAFKA_BROKERS / DYNAMODB_ENDPOINT, or a running `msk-pipelines services`, else our own.
      const services = await LocalServices.start({ env: servicesEnv(), handleSignals: false });
      let emulator: EmulatorInstance | undefined;
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write('\n[run] stopping…\n');
        await emulator?.stop().catch((e: Error) => process.stderr.write(`[run] ${e.message}\n`));
        await services.stop().catch((e: Error) => process.stderr.write(`[run] ${e.message}\n`));
        if (emulator) process.stderr.write(`[run] report: ${options.report}\n`);
        process.exit(code);
      };
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(0));
      try {
        emulator = await Emulator.start({
          assemblyDir: dir,
          services: { kafkaBrokers: services.kafkaBrokers, dynamodbEndpoint: services.dynamodbEndpoint },
          stacks: options.stacks,
          httpPort: options.httpPort ? Number(options.httpPort) : undefined,
          reportFile: options.report,
          onLog: (line) => process.stdout.write(`${line}\n`),
        });
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        await stop(1);
        return;
      }
      process.stdout.write(`${describeAssembly(emulator.assembly, emulator.httpUrls)}\n\n[run] running; Ctrl-C stops everything\n`);
      emulator.on('invocation', (i: InvocationRecord) => {
        if (i.outcome !== 'succeeded') process.stdout.write(`[run] ${i.functionName} ${i.outcome}${i.error ? `: ${i.error}` : ''}\n`);
      });
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
    });
}
