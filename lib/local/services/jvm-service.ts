import * as fs from 'fs';
import { JvmProcess, cancelRemoveOnExit, removeOnExit } from './jvm';
import { writeOwner } from './stale';

/** How a local service's JVM is launched and looked after. */
export interface JvmServiceLaunch {
  readonly javaBin: string;
  readonly args: string[];
  readonly readyTimeoutMs: number;
  readonly removeDataOnStop: boolean;
}

/**
 * A service running in one JVM on loopback ports: `start()` waits until it answers, `kill()`
 * crashes it, and `restart()` brings it back on the same ports and data directory, so state
 * survives as it does when a managed service restarts.
 */
export abstract class JvmService {
  private jvm?: JvmProcess;

  protected constructor(
    /** Process name in logs and the orphan sweep (`kafka`, `dynamodb`). */
    private readonly processName: string,
    /** Name used in error messages. */
    private readonly displayName: string,
    readonly dataDir: string,
    readonly logFile: string,
    protected readonly launch: JvmServiceLaunch,
    private readonly defaultGraceMs: number,
  ) {}

  /** Pid of the running JVM, undefined while stopped. */
  get pid(): number | undefined {
    return this.jvm?.isRunning ? this.jvm.pid : undefined;
  }

  /** Resolves once the service answers; rejects with `abort()`'s message if that returns one. */
  protected abstract waitUntilReady(timeoutMs: number, abort: () => string | undefined): Promise<void>;

  /** Starts the JVM (when it is not running) and waits until the service answers. */
  async start(): Promise<void> {
    if (this.jvm?.isRunning) return;
    const jvm = JvmProcess.start({
      name: this.processName, javaBin: this.launch.javaBin, args: this.launch.args, logFile: this.logFile, cwd: this.dataDir,
    });
    this.jvm = jvm;
    writeOwner(this.dataDir, jvm.pid);
    if (this.launch.removeDataOnStop) removeOnExit(this.dataDir);
    try {
      await this.waitUntilReady(this.launch.readyTimeoutMs, () =>
        jvm.isRunning ? undefined : `${this.displayName} exited during start-up${jvm.error ? ` (${jvm.error.message})` : ''}. Log ${this.logFile}:\n${jvm.logTail()}`);
    } catch (err) {
      await jvm.kill();
      throw err;
    }
  }

  /** Kills the JVM at once (SIGKILL), as a crash would. */
  async kill(): Promise<void> {
    await this.jvm?.kill();
  }

  /** Kills the JVM and starts it again on the same ports and data directory. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Shuts down (SIGTERM, SIGKILL after `graceMs`) and removes a data directory it created. */
  async stop(graceMs = this.defaultGraceMs): Promise<void> {
    await this.jvm?.stop(graceMs);
    if (this.launch.removeDataOnStop) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
      cancelRemoveOnExit(this.dataDir);
    }
  }
}
