import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** How one JVM is launched. */
export interface JvmLaunch {
  /** Short name used in messages and log file names (`kafka`, `dynamodb`). */
  readonly name: string;
  /** Java executable. */
  readonly javaBin: string;
  /** Everything after `java`. */
  readonly args: readonly string[];
  /** The JVM's stdout and stderr are appended here. */
  readonly logFile: string;
  /** Working directory. */
  readonly cwd: string;
}

/** Flags for a small, quickly started JVM: a local broker needs neither C2 nor a parallel GC. */
export function smallJvmFlags(maxHeap: string): string[] {
  return [
    `-Xmx${maxHeap}`,
    '-Xms32m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-XX:ReservedCodeCacheSize=64m',
    '-Xshare:auto',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
  ];
}

/**
 * One running JVM. Its output goes straight to a file descriptor (no pipe through Node), and
 * every live instance is killed synchronously when the Node process exits, for any reason.
 */
export class JvmProcess {
  /** Starts the JVM; it is registered for clean-up before this returns. */
  static start(launch: JvmLaunch): JvmProcess {
    fs.mkdirSync(path.dirname(launch.logFile), { recursive: true });
    const fd = fs.openSync(launch.logFile, 'a');
    try {
      fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${launch.javaBin} ${launch.args.join(' ')}\n`);
      // detached: false keeps the JVM in our process group, so a terminal's Ctrl-C reaches it too.
      const child = spawn(launch.javaBin, [...launch.args], { cwd: launch.cwd, stdio: ['ignore', fd, fd], detached: false });
      return new JvmProcess(launch, child);
    } finally {
      fs.closeSync(fd);
    }
  }

  readonly pid: number;
  /** Resolves with the exit code (or signal) once the JVM has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private running = true;
  private spawnError?: Error;

  private constructor(readonly launch: JvmLaunch, child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.spawnError = err;
        this.running = false;
        LIVE.delete(this);
        resolve({ code: -1, signal: null });
      });
      child.once('exit', (code, signal) => {
        this.running = false;
        LIVE.delete(this);
        resolve({ code, signal });
      });
    });
    this.pid = child.pid ?? -1;
    LIVE.add(this);
    installExitHook();
  }

  /** True until the JVM has exited. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Why the JVM could not be spawned, if it could not. */
  get error(): Error | undefined {
    return this.spawnError;
  }

  /** Asks the JVM to shut down (SIGTERM), then SIGKILLs it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the JVM at once (SIGKILL), as a crash would, and waits until it is gone. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    await this.exited;
  }

  /** The last `lines` lines of the log file, for error messages. */
  logTail(lines = 30): string {
    try {
      return fs.readFileSync(this.launch.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      process.kill(this.pid, sig);
    } catch {
      // already gone
    }
  }
}

const LIVE = new Set<JvmProcess>();
/** Data directories to remove when this process exits without stopping their service. */
const SCRATCH = new Set<string>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' also fires after an uncaught exception or unhandled rejection; only synchronous
  // work runs here, so the JVMs are SIGKILLed rather than asked to shut down.
  process.on('exit', () => {
    for (const jvm of LIVE) {
      try {
        process.kill(jvm.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // One of them may live in memory (/dev/shm): not left for the next start's sweep.
    for (const dir of SCRATCH) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // left for the next start's sweep
      }
    }
  });
}

/**
 * Removes `dir` when this process exits (normally, by a handled signal or after an uncaught
 * error) unless `cancelRemoveOnExit` was called first.
 */
export function removeOnExit(dir: string): void {
  installExitHook();
  SCRATCH.add(dir);
}

export function cancelRemoveOnExit(dir: string): void {
  SCRATCH.delete(dir);
}

/** JVMs this process started that are still running. */
export function liveJvms(): readonly JvmProcess[] {
  return [...LIVE];
}

/**
 * On SIGINT / SIGTERM / SIGHUP: stop every live JVM (SIGTERM, then SIGKILL after the grace
 * period), then exit with the conventional 128+n code. Installed once per process.
 */
export function installSignalHandlers(graceMs = 5_000): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  let stopping = false;
  for (const sig of Object.keys(codes) as NodeJS.Signals[]) {
    process.on(sig, () => {
      if (stopping) process.exit(codes[sig]); // a second Ctrl-C: the exit hook SIGKILLs the rest
      stopping = true;
      void Promise.all([...LIVE].map((jvm) => jvm.stop(graceMs))).finally(() => process.exit(codes[sig]));
    });
  }
}
