import { randomUUID } from 'crypto';
import * as path from 'path';
import * as readline from 'readline';
import { Worker } from 'worker_threads';
import { FunctionModel } from './model';
import type { ConnectionRefusal, LocalBrokerTls, WorkerData } from './worker-protocol';
import { workerScript } from './worker-script';

/** What an invocation came to. */
export interface InvokeResult {
  /** `succeeded` (the handler returned), `failed` (it threw, or its init phase failed) or `timed-out` (past the function's `Timeout`). */
  readonly outcome: 'succeeded' | 'failed' | 'timed-out';
  /** What the handler returned, through JSON as Lambda returns it (`undefined` becomes null), when it succeeded. */
  readonly result?: unknown;
  /** The error as Lambda reports it (`errorType`, `errorMessage`; `Sandbox.Timedout` for a timeout), when it did not succeed. */
  readonly error?: { errorType: string; errorMessage: string; stack?: string };
  /** The invocation's request id (a random UUID, the handler's `context.awsRequestId`); its log lines carry it. */
  readonly requestId: string;
  /** When the invoke phase started (after a cold start's init phase). */
  readonly start: number;
  /** When the invocation ended, in ms since the epoch like `start`. */
  readonly end: number;
  /** Whether this was the first invocation of its execution environment (a new worker: the module was loaded for it). */
  readonly coldStart: boolean;
  /** A cold start's init phase (module loading), in ms; not part of `end - start`. */
  readonly initDurationMs?: number;
}

/**
 * The init phase of an on-demand function may take 10 s, apart from the function's timeout.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
 */
export const INIT_PHASE_LIMIT_MS = 10_000;

export interface FunctionHostOptions {
  /** Most execution environments at once (concurrent invocations across partitions). @default 4 */
  readonly maxConcurrency?: number;
  /**
   * Receives each log line of the function, already prefixed with `[name]`, with the request id
   * of the invocation its environment ran last (a worker's output arrives on its own channel, so
   * a line written just before an invocation ended may come after its result).
   * @default stdout
   */
  readonly onLog?: (line: string, fn: FunctionModel, requestId?: string) => void;
  /**
   * Time the init phase may take before it is retried within the invocation (tests shorten it).
   * @default INIT_PHASE_LIMIT_MS (10 s, as for on-demand functions on Lambda)
   */
  readonly initPhaseLimitMs?: number;
  /** Connections the function could not make on AWS, refused in its worker. @default none */
  readonly refusals?: readonly ConnectionRefusal[];
  /** The local broker's TLS listener, trusted in the worker. @default none */
  readonly brokerTls?: LocalBrokerTls;
}

/**
 * What Lambda's Node.js runtime lets a function require without shipping it: the AWS SDK for
 * JavaScript v3, which the project's functions leave out of their bundles.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 */
export const RUNTIME_PROVIDED: readonly string[] = ['@aws-sdk/'];

/**
 * Where the emulator resolves the runtime-provided modules from: the folder above the
 * node_modules that holds this package's AWS SDK (its own, or the one it is installed beside).
 */
function runtimeModulesFrom(): string | undefined {
  try {
    const entry = require.resolve('@aws-sdk/client-dynamodb');
    const marker = `${path.sep}node_modules${path.sep}`;
    return entry.slice(0, entry.lastIndexOf(marker));
  } catch {
    return undefined;
  }
}

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: InvokeResult['error'];
  timedOut?: boolean;
}

interface Env {
  readonly worker: Worker;
  invocations: number;
  /** The function's module has been loaded (init phase or first invoke done). */
  initialized: boolean;
  /** The invocation this environment runs (its init phase included), or ran last. */
  requestId?: string;
  pending?: { id: string; settle: (r: Reply) => void };
  dead: boolean;
}

/**
 * Runs one function like Lambda runs it: each execution environment is a worker thread with
 * the function's own environment and module state, kept warm between invocations, one
 * invocation at a time; a timed-out environment is discarded and the next one starts cold.
 *
 * A cold start has an init phase first (loading the function's module, its static code), as
 * on Lambda: limited to 10 s on its own and not counted against the function's timeout. An
 * init phase that runs out of time is retried within the invocation, on a fresh environment,
 * where it counts against the timeout; one that throws fails the invocation and the
 * environment (the next invocation starts cold).
 */
export class FunctionHost {
  private readonly idle: Env[] = [];
  private readonly all = new Set<Env>();
  private readonly waiters: Array<{ resolve: (env: Env) => void; reject: (error: Error) => void }> = [];
  private readonly maxConcurrency: number;
  private stopped = false;

  constructor(public readonly model: FunctionModel, private readonly options: FunctionHostOptions = {}) {
    this.maxConcurrency = options.maxConcurrency ?? 4;
  }

  /** Number of live execution environments. */
  get environments(): number {
    return this.all.size;
  }

  /** Invokes the handler with `event`, waiting for a free execution environment if all are busy. */
  async invoke(event: unknown): Promise<InvokeResult> {
    if (this.stopped) throw new Error(`Function ${this.model.name} is stopped`);
    let env = await this.acquire();
    const coldStart = env.invocations === 0;
    env.invocations++;
    const requestId = randomUUID();
    env.requestId = requestId;
    let initDurationMs: number | undefined;
    if (!env.initialized) {
      const limitMs = this.options.initPhaseLimitMs ?? INIT_PHASE_LIMIT_MS;
      const initStart = Date.now();
      const init = await this.exchange(env, { id: requestId, type: 'init' }, limitMs);
      initDurationMs = Date.now() - initStart;
      if (init.timedOut) {
        // Lambda retries the init phase at the invocation, with the function's timeout: a fresh environment loads the module within it.
        this.log(`INIT_REPORT Init Duration: ${limitMs.toFixed(2)} ms\tPhase: init\tStatus: timeout`, requestId);
        env = this.spawn();
        env.invocations++;
        env.requestId = requestId;
      } else if (!init.ok) {
        this.log(`INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${init.error?.errorType}`, requestId);
        this.discard(env);
        this.release(env);
        return { outcome: 'failed', requestId, start: initStart, end: Date.now(), coldStart, initDurationMs, error: init.error };
      } else {
        env.initialized = true;
      }
    }
    const start = Date.now();
    const deadline = start + this.model.timeout * 1000;
    const raw = await this.exchange(env, {
      id: requestId,
      event,
      context: {
        functionName: this.model.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: this.model.arn,
        memoryLimitInMB: String(this.model.memorySize),
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${this.model.name}`,
        logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
        deadline,
      },
    }, this.model.timeout * 1000);
    const end = Date.now();
    if (!raw.timedOut) env.initialized = true;
    this.release(env);
    const timing = { requestId, start, end, coldStart, ...(initDurationMs === undefined ? {} : { initDurationMs }) };
    if (raw.timedOut) {
      const seconds = this.model.timeout;
      this.log(`${new Date(end).toISOString()} ${requestId} Task timed out after ${seconds.toFixed(2)} seconds`, requestId);
      return { outcome: 'timed-out', ...timing, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds.toFixed(2)} seconds` } };
    }
    if (!raw.ok) return { outcome: 'failed', ...timing, error: raw.error };
    return { outcome: 'succeeded', result: raw.result, ...timing };
  }

  /** Sends `message` to the environment and waits for its reply; past `limitMs` the environment is discarded. */
  private exchange(env: Env, message: { id: string } & Record<string, unknown>, limitMs: number): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        env.pending = undefined;
        this.discard(env);
        resolve({ ok: false, timedOut: true });
      }, limitMs);
      env.pending = {
        id: message.id,
        settle: (r) => {
          clearTimeout(timer);
          env.pending = undefined;
          resolve(r);
        },
      };
      env.worker.postMessage(message);
    });
  }

  /** Terminates every execution environment; invocations still waiting for one reject. */
  async stop(): Promise<void> {
    this.stopped = true;
    // A caller must never wait for ever: a mapping's batch awaiting an environment would hold its
    // consumer, and so the consumer's disconnect, for good.
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`Function ${this.model.name} is stopped`));
    await Promise.all([...this.all].map((env) => {
      env.dead = true;
      env.pending?.settle({ ok: false, error: { errorType: 'Runtime.Stopped', errorMessage: 'emulator stopped' } });
      return env.worker.terminate();
    }));
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(): Promise<Env> {
    const env = this.idle.pop();
    if (env) return Promise.resolve(env);
    if (this.all.size < this.maxConcurrency) return Promise.resolve(this.spawn());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(env: Env): void {
    if (this.stopped) return;
    const next = this.waiters.shift();
    if (env.dead) {
      if (next) next.resolve(this.spawn());
      return;
    }
    if (next) next.resolve(env);
    else this.idle.push(env);
  }

  private discard(env: Env): void {
    env.dead = true;
    this.all.delete(env);
    const i = this.idle.indexOf(env);
    if (i >= 0) this.idle.splice(i, 1);
    void env.worker.terminate();
  }

  private spawn(): Env {
    const { script, eval: isSource } = workerScript();
    const data: WorkerData = { codeDir: this.model.codeDir, handler: this.model.handler, refusals: this.options.refusals, brokerTls: this.options.brokerTls, runtimeModulesFrom: runtimeModulesFrom(), runtimeProvided: RUNTIME_PROVIDED };
    const worker = new Worker(script, {
      eval: isSource,
      env: { ...this.model.environment },
      workerData: data,
      stdout: true,
      stderr: true,
      // Heap at least 256 MB: a worker has no native headroom like a container, and a false OOM would mislead.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(256, this.model.memorySize) },
    });
    const env: Env = { worker, invocations: 0, initialized: false, dead: false };
    this.all.add(env);
    for (const stream of [worker.stdout, worker.stderr]) {
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (line.trim() !== '') this.log(line, env.requestId);
      });
    }
    let partial = '';
    worker.on('message', (msg: Reply & { id?: string; log?: string }) => {
      if (msg.log !== undefined) {
        const lines = (partial + msg.log).split('\n');
        partial = lines.pop()!;
        for (const line of lines) if (line.trim() !== '') this.log(line, msg.id ?? env.requestId);
        return;
      }
      if (env.pending && env.pending.id === msg.id) env.pending.settle(msg);
    });
    const crash = (error: InvokeResult['error']) => {
      if (env.dead) return;
      this.discard(env);
      env.pending?.settle({ ok: false, error });
    };
    worker.on('error', (e: Error) => {
      this.log(`Uncaught ${e.name}: ${e.message}`, env.requestId);
      crash({ errorType: 'Runtime.ExitError', errorMessage: `${e.name}: ${e.message}`, stack: e.stack });
    });
    worker.on('exit', (code) => crash({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with code ${code}` }));
    worker.unref();
    return env;
  }

  private log(line: string, requestId?: string): void {
    const prefixed = `[${this.model.name}] ${line}`;
    if (this.options.onLog) this.options.onLog(prefixed, this.model, requestId);
    else process.stdout.write(`${prefixed}\n`);
  }
}
