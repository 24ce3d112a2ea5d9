import * as path from 'path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { deadLetterConsumers } from '../dead-letter/consumers';
import { DeadLetterTally } from '../dead-letter/tally';
import { LocalConsole } from '../local/console/local-console';
import type { Emulator, EmulatorOptions } from '../local/emulator/emulator';
import type { DestinationDelivery, InvocationRecord } from '../local/emulator/mapping-runner';
import { synthesizeApp } from '../local/emulator/synth';
import { LOCAL_DIR, LocalServices } from '../local/services';
import { servicesEnv } from './endpoints';
import { loadEmulator } from './emulator-loader';
import { LogFiles } from './log-files';

/** A path as the terminal shows it: relative to the working directory when inside it. */
export function shown(file: string): string {
  const relative = path.relative(process.cwd(), path.resolve(file));
  return relative.startsWith('..') ? file : relative;
}

/** What `run` and `demo` share: where the app is, how loud, which ports. */
export interface LocalRunOptions {
  /** The cloud assembly directory (`--assembly`). */
  readonly assembly: string;
  /** Directory of the CDK app and its cdk.json (`--app-dir`). */
  readonly appDir: string;
  /** Synthesize the app first (`--no-synth` reads the assembly as it is). */
  readonly synth: boolean;
  /** Only these stacks (`--stacks`). @default every stack of the assembly */
  readonly stacks?: string[];
  /** Port of the first HTTP API (`--http-port`). @default a free port */
  readonly httpPort?: number;
  /** Port of the console page. @default a free port */
  readonly consolePort?: number;
  /** Stream function and emulator logs and the bundler's output to the terminal, as before. @default false: they go to `logDir` only */
  readonly verbose?: boolean;
  /** Where logs go. @default `.local/logs` */
  readonly logDir?: string;
  /** Where the run's report is written at the end (`--report`). @default - no report file */
  readonly reportFile?: string;
  /** Let LocalServices stop the JVMs on SIGINT/SIGTERM itself. @default true (LocalServicesOptions.handleSignals) */
  readonly handleSignals?: boolean;
  /**
   * How much faster the alarms' clock runs than the wall clock (EmulatorOptions.alarmTimeScale).
   * @default 1
   */
  readonly alarmTimeScale?: number;
  /** Refuse connections a function could not make on AWS (EmulatorOptions.enforceNetwork). @default true */
  readonly enforceNetwork?: boolean;
  /** Evaluate functions' AWS calls against their roles (EmulatorOptions.enforceIam). @default true */
  readonly enforceIam?: boolean;
  /** A progress line for the terminal. */
  readonly say: (line: string) => void;
}

/** Counts of a run, for its summary. */
export interface RunCounts {
  readonly invocations: number;
  readonly byOutcome: Record<string, number>;
  /** Records added to each dead-letter topic during the run, by any writer. */
  readonly deadLettered: Record<string, number>;
  /** Batches a mapping sent to an SQS destination or dropped (no Kafka topic to count). */
  readonly otherDestinations: number;
  /** Alarms by state, and the names of those in ALARM (none when alarms are off). */
  readonly alarms?: { readonly byState: Record<string, number>; readonly inAlarm: string[]; readonly timeScale: number };
}

/**
 * A running local graph for the command line: the app synthesized (the bundler's output in
 * `<logDir>/synth.log` unless verbose), the services, the emulator with each function's lines in
 * `<logDir>/<function>.log` (and the terminal when verbose), the console, and a tally of what was
 * dead-lettered.
 */
export class LocalRun {
  static async start(options: LocalRunOptions): Promise<LocalRun> {
    const logDir = options.logDir ?? path.join(LOCAL_DIR, 'logs');
    const logs = new LogFiles(logDir);
    const { Emulator } = loadEmulator('run');
    const synthStart = Date.now();
    const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth, logFile: options.verbose ? undefined : path.join(logDir, 'synth.log') });
    options.say(options.synth
      ? `synthesized the app into ${shown(dir)} in ${((Date.now() - synthStart) / 1000).toFixed(1)} s${options.verbose ? '' : ` (bundler output: ${shown(path.join(logDir, 'synth.log'))})`}`
      : `using the cloud assembly in ${shown(dir)}`);
    const services = await LocalServices.start({ env: servicesEnv(), handleSignals: options.handleSignals });
    options.say(`services: Kafka ${services.kafkaBrokers}, DynamoDB Local ${services.dynamodbEndpoint}${services.pids.kafka || services.pids.dynamodb ? ' (started)' : ' (already running)'}`);
    const run = new LocalRun(options, logs, services);
    try {
      await run.boot(Emulator, dir);
    } catch (e) {
      await run.stop();
      throw e;
    }
    return run;
  }

  emulator?: Emulator;
  console?: LocalConsole;
  private tally?: DeadLetterTally;
  private admin?: Admin;
  private readonly invocations: InvocationRecord[] = [];
  private readonly destinations: DestinationDelivery[] = [];
  private stopped = false;

  private constructor(private readonly options: LocalRunOptions, readonly logs: LogFiles, readonly services: LocalServices) {}

  private async boot(Emulator: typeof import('../local/emulator/emulator').Emulator, dir: string): Promise<void> {
    const { options, logs, services } = this;
    const emulatorOptions: EmulatorOptions = {
      assemblyDir: dir,
      services: { kafkaBrokers: services.kafkaBrokers, dynamodbEndpoint: services.dynamodbEndpoint },
      stacks: options.stacks,
      httpPort: options.httpPort,
      reportFile: options.reportFile,
      alarmTimeScale: options.alarmTimeScale,
      enforceNetwork: options.enforceNetwork,
      enforceIam: options.enforceIam,
      onLog: (line, source) => {
        logs.write(line, source);
        if (options.verbose) process.stdout.write(`${line}\n`);
      },
    };
    const emulator = await Emulator.start(emulatorOptions);
    this.emulator = emulator;
    emulator.on('invocation', (i) => this.invocations.push(i));
    emulator.on('dead-letter', (d) => this.destinations.push(d));
    const a = emulator.assembly;
    options.say(`emulator: ${a.functions.length} functions, ${emulator.mappings.filter((m) => m.enabled).length} mappings, ${a.topics.length} topics, ${a.tables.length} tables, ${a.routes.length} routes, ${a.schedules.length} schedules`);
    const kafka = new Kafka({ clientId: 'msk-pipelines-cli', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    this.admin = kafka.admin();
    await this.admin.connect();
    this.tally = new DeadLetterTally(this.admin, [...new Set(deadLetterConsumers(a).map((c) => c.deadLetterTopic))]);
    await this.tally.begin();
    this.console = await LocalConsole.start(emulator, { kafkaBrokers: services.kafkaBrokers, port: options.consolePort });
    options.say(`console: ${this.console.url}`);
    options.say(`function logs: ${shown(path.join(logs.dir, '<function>.log'))}${options.verbose ? ' and here' : ' (--verbose prints them here)'}`);
  }

  /** Invocations, outcomes and dead letters so far. */
  async counts(): Promise<RunCounts> {
    const byOutcome: Record<string, number> = {};
    for (const i of this.invocations) byOutcome[i.outcome] = (byOutcome[i.outcome] ?? 0) + 1;
    const alarms = this.emulator?.alarms?.report();
    const byState: Record<string, number> = {};
    for (const a of alarms?.states ?? []) byState[a.state] = (byState[a.state] ?? 0) + 1;
    return {
      alarms: alarms && { byState, inAlarm: alarms.states.filter((a) => a.state === 'ALARM').map((a) => a.alarm), timeScale: alarms.timeScale },
      invocations: this.invocations.length,
      byOutcome,
      deadLettered: (await this.tally?.counts().catch(() => ({}))) ?? {},
      otherDestinations: this.destinations.filter((d) => !d.destination?.startsWith('kafka://')).length,
    };
  }

  /** Invocations that did not succeed. */
  get failures(): InvocationRecord[] {
    return this.invocations.filter((i) => i.outcome !== 'succeeded');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const quiet = (e: Error) => this.options.say(e.message);
    await this.console?.stop().catch(quiet);
    await this.emulator?.stop().catch(quiet);
    await this.admin?.disconnect().catch(() => undefined);
    await this.services.stop().catch(quiet);
    await this.logs.close();
  }
}

/** The summary lines of a run's counts (at most `maxFailures` failure lines). */
export function countLines(counts: RunCounts, failures: readonly InvocationRecord[], maxFailures = 8): string[] {
  const outcomes = ['succeeded', 'failed', 'timed-out', 'partial'].map((o) => `${counts.byOutcome[o] ?? 0} ${o}`).join(', ');
  const dead = Object.entries(counts.deadLettered);
  const total = dead.reduce((n, [, c]) => n + c, 0);
  const lines = [
    `invocations: ${counts.invocations} (${outcomes})`,
    `dead-lettered records: ${total}${dead.length ? ` (${dead.map(([t, c]) => `${t}: ${c}`).join(', ')})` : ''}${counts.otherDestinations ? `; ${counts.otherDestinations} batch(es) to other destinations` : ''}`,
  ];
  if (counts.alarms) {
    const { byState, inAlarm, timeScale } = counts.alarms;
    const states = ['OK', 'ALARM', 'INSUFFICIENT_DATA'].map((s) => `${byState[s] ?? 0} ${s}`).join(', ');
    const names = inAlarm.length ? `: ${inAlarm.slice(0, 3).join(', ')}${inAlarm.length > 3 ? ` and ${inAlarm.length - 3} more` : ''}` : '';
    lines.push(`alarms (clock x${timeScale}): ${states}${names}`);
  }
  for (const f of failures.slice(0, maxFailures)) lines.push(`  ${f.functionName}: ${f.outcome}${f.error ? ` (${f.error.slice(0, 160)})` : ''}`);
  if (failures.length > maxFailures) lines.push(`  … and ${failures.length - maxFailures} more in the report`);
  return lines;
}
