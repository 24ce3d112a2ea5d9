import { randomUUID } from 'node:crypto';
import { backoff } from '../backoff';
import { decodeEvent, type CloudEvent } from '../cloudevents';
import {
  ChainEventType,
  chainAttributes,
  taskFailed,
  taskStarted,
  taskSucceeded,
  type ChainAttributes,
  type ResultPointer,
  type TaskRequestedData,
  type TaskSucceededData,
} from './events';
import { RerunRefusedError } from './errors';
import type { Claim, JoinStore, TaskStatusItem } from './join-store';
import { taskMetrics } from './metrics';

/** What the task author's function receives. */
export interface TaskContext {
  /** Name of the chain the task belongs to (`ChainEnv.CHAIN_NAME`, set by TaskChain). */
  readonly chain: string;
  /** Name of this task in the chain (`ChainEnv.TASK_NAME`, set by TaskChain). */
  readonly task: string;
  /** The run being processed: a scheduled run's business date (e.g. `2026-11-24`), or the id given to `chain run`. */
  readonly runId: string;
  /** 1-based attempt within this start. */
  readonly attempt: number;
  /** 0 for the run, larger for a rerun. */
  readonly generation: number;
  /** Result pointers of the tasks this one depends on, by task name. */
  readonly inputs: Readonly<Record<string, ResultPointer>>;
  /** Aborted when the function is about to run out of time. */
  readonly signal: AbortSignal;
}

/**
 * A task author's function, given to `defineTask`: does the task's work for one run and resolves
 * to a pointer to its result, which travels in task.succeeded to the tasks that depend on it. A
 * rejection is retried with backoff up to the task's `maxAttempts`, then the task fails (task.failed).
 */
export type TaskFunction = (context: TaskContext) => Promise<ResultPointer>;

export interface TaskRunnerConfig {
  chain: string;
  task: string;
  dependsOn: string[];
  /** Attempts of the task function per start. */
  maxAttempts: number;
  /** First backoff between attempts, doubled each time. */
  retryBaseMs: number;
  /** Lease of a claim when the invocation's remaining time is unknown. */
  defaultLeaseMs: number;
}

export interface RunnerLog {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/** Publishes chain events of one run (keyed by its run id). */
export type ChainPublish = (runId: string, events: CloudEvent[]) => Promise<void>;

/** What one start of the task came to; `unannounced` are the task.started events the broker did not take. */
interface Outcome {
  readonly state: 'succeeded' | 'failed';
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly result?: ResultPointer;
  readonly error?: { name: string; message: string };
  readonly unannounced: CloudEvent[];
  readonly durationMs?: number;
}

/** A claim this container holds, with its function's outcome (settled once the attempts end). */
interface OwnStart {
  readonly owner: string;
  readonly outcome: Promise<Outcome>;
  /** Its last attempt to store the outcome failed: the next delivery of the record resumes it. */
  stalled: boolean;
}

const MAX_RESULT_BYTES = 8 * 1024;
/**
 * How long whoever finished a claim holds the publishing of its outcome. A publish takes
 * milliseconds; the hold only bounds how long a redelivery waits before it takes over from a
 * publisher that died between the store write and the publish.
 */
const PUBLISH_HOLD_MS = 10_000;
/**
 * Time kept back from the invocation's deadline: an attempt or a wait starts only if this much is
 * left after it, for storing the outcome and publishing it; a claim's lease outlives the
 * invocation by as much, so that a slow store write does not let a duplicate claim it.
 */
const DEADLINE_MARGIN_MS = 5000;
/** Waiting for another delivery's publish: first poll after this, doubling up to `PUBLISH_POLL_CAP_MS`. */
const PUBLISH_POLL_BASE_MS = 20;
const PUBLISH_POLL_CAP_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message.slice(0, 2000) } : { name: 'Error', message: String(error).slice(0, 2000) };
}

function checkResult(result: unknown): ResultPointer {
  if (typeof result !== 'object' || result === null || typeof (result as ResultPointer).uri !== 'string') {
    throw new TypeError('a task must return a result pointer { uri: string, rows?: number }, not the data itself');
  }
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size > MAX_RESULT_BYTES) throw new TypeError(`a result pointer must stay under ${MAX_RESULT_BYTES} bytes (got ${size}): return where the data is, not the data`);
  return result as ResultPointer;
}

/**
 * Turns chain events into at most one start of the task per run and generation: join check,
 * claim, attempts with backoff, status writes and outcome events. A failing task function never
 * throws out of here (other runs keep flowing); a failing store or broker does, so the record
 * is retried by the caller.
 */
export class TaskRunner {
  /** Starts whose function ran in this container and whose outcome is not stored yet, by `<runId>#<generation>`. */
  private readonly started = new Map<string, OwnStart>();

  constructor(
    private readonly config: TaskRunnerConfig,
    private readonly fn: TaskFunction,
    private readonly store: JoinStore,
    private readonly publish: ChainPublish,
    private readonly log: RunnerLog,
  ) {}

  /** Handles one event; `remainingMs` is the invocation's time left (bounds attempts and the claim lease). */
  async handle(event: CloudEvent, remainingMs: () => number = () => Number.POSITIVE_INFINITY): Promise<void> {
    const a = chainAttributes(event);
    const { chain, task, dependsOn } = this.config;
    if (!a || a.chain !== chain) {
      this.log.warn('ignoring an event of another chain or without chain attributes', { type: event.type, id: event.id });
      return;
    }
    if (event.type === ChainEventType.RUN_REQUESTED && dependsOn.length === 0) {
      await this.start(a.runid, 0, {}, undefined, event.id, remainingMs);
    } else if (event.type === ChainEventType.TASK_REQUESTED && a.task === task) {
      await this.rerun(a, (event.data ?? {}) as TaskRequestedData, event.id, remainingMs);
    } else if (event.type === ChainEventType.TASK_SUCCEEDED && a.task !== undefined && dependsOn.includes(a.task)) {
      const data = event.data as TaskSucceededData;
      await this.dependencySucceeded(a, data, event.id, remainingMs);
      await this.resumeWaiting(a.runid, data.waiters ?? [], event.id, remainingMs);
    } else {
      this.log.info('event does not concern this task', { type: event.type, task: a.task, runId: a.runid });
    }
  }

  private async rerun(a: ChainAttributes, data: TaskRequestedData, eventId: string, remainingMs: () => number): Promise<void> {
    const cascade = Array.isArray(data.cascade) && data.cascade.length > 0 ? data.cascade : [this.config.task];
    const statuses = await this.store.statuses(this.config.chain, a.runid, this.config.dependsOn);
    const missing = this.config.dependsOn.filter((d) => !statuses.get(d)?.lastResult);
    if (missing.length > 0) {
      this.log.warn('rerun requested but dependencies have not succeeded for this run', { runId: a.runid, missing });
    }
    const inputs = Object.fromEntries([...statuses].filter(([, s]) => s.lastResult).map(([d, s]) => [d, s.lastResult!]));
    const precondition = missing.length > 0 ? new RerunRefusedError(this.config.task, a.runid, missing.map((d) => ({ task: d, state: statuses.get(d)?.state ?? 'waiting' }))) : undefined;
    await this.start(a.runid, a.generation, inputs, cascade, eventId, remainingMs, precondition);
  }

  private async dependencySucceeded(a: ChainAttributes, data: TaskSucceededData, eventId: string, remainingMs: () => number): Promise<void> {
    const { chain, task, dependsOn } = this.config;
    const cascade = a.generation > 0 ? data.cascade ?? [] : undefined;
    // In a rerun, dependencies outside the cascade do not run again: their latest success counts.
    const inGeneration = cascade ? dependsOn.filter((d) => cascade.includes(d)) : dependsOn;
    // A join of one is complete with this event: skip the store round trip (the claim still dedupes).
    const done =
      inGeneration.length === 1 && inGeneration[0] === a.task
        ? { [a.task]: data.result }
        : await this.store.recordDependency(chain, a.runid, task, a.generation, a.task!, data.result);
    const waitingFor = inGeneration.filter((d) => !(d in done));
    if (waitingFor.length > 0) {
      this.log.info('join waiting', { runId: a.runid, generation: a.generation, received: a.task, waitingFor });
      return;
    }
    const inputs: Record<string, ResultPointer> = Object.fromEntries(inGeneration.map((d) => [d, done[d]]));
    const outside = dependsOn.filter((d) => !inGeneration.includes(d));
    let parked = false;
    if (outside.length > 0) {
      const statuses = await this.store.statuses(chain, a.runid, outside);
      const missing = outside.filter((d) => !statuses.get(d)?.lastResult);
      for (const d of outside) if (!missing.includes(d)) inputs[d] = statuses.get(d)!.lastResult!;
      if (missing.length > 0) {
        // Not there yet (still running in the run itself): park the join; their success resumes it.
        Object.assign(inputs, await this.store.awaitDependencies(chain, a.runid, task, a.generation, { cascade: cascade!, inputs }, missing));
        parked = true;
        const still = missing.filter((d) => !(d in inputs));
        if (still.length > 0) {
          this.log.info('join waiting for dependencies outside the rerun', { runId: a.runid, generation: a.generation, waitingFor: still });
          return;
        }
      }
    }
    await this.start(a.runid, a.generation, inputs, cascade, eventId, remainingMs);
    if (parked) await this.store.deleteRejoin(chain, a.runid, task, a.generation);
  }

  /**
   * Completes reruns' joins of this task that waited for the dependency whose success names
   * them (`waiters`), once every dependency outside their cascade has succeeded.
   */
  private async resumeWaiting(runId: string, waiters: string[], eventId: string, remainingMs: () => number): Promise<void> {
    const { chain, task, dependsOn } = this.config;
    for (const waiter of waiters) {
      const [name, generationText] = waiter.split('#');
      if (name !== task) continue;
      const generation = Number(generationText);
      const pending = await this.store.readRejoin(chain, runId, task, generation);
      if (!pending) continue;
      const outside = dependsOn.filter((d) => !pending.cascade.includes(d));
      const statuses = await this.store.statuses(chain, runId, outside);
      const missing = outside.filter((d) => !statuses.get(d)?.lastResult);
      if (missing.length > 0) {
        this.log.info('join waiting for dependencies outside the rerun', { runId, generation, waitingFor: missing });
        continue;
      }
      const inputs = { ...pending.inputs, ...Object.fromEntries(outside.map((d) => [d, statuses.get(d)!.lastResult!])) };
      this.log.info('rerun join completed by a dependency outside the rerun', { runId, generation });
      await this.start(runId, generation, inputs, pending.cascade, eventId, remainingMs);
      await this.store.deleteRejoin(chain, runId, task, generation);
    }
  }

  private async start(
    runId: string,
    generation: number,
    inputs: Record<string, ResultPointer>,
    cascade: string[] | undefined,
    eventId: string,
    remainingMs: () => number,
    precondition?: Error,
  ): Promise<void> {
    const { chain, task } = this.config;
    const key = `${runId}#${generation}`;
    const own = this.started.get(key);
    if (own?.stalled) {
      // A retry, in this container, of a start whose function has run: its outcome is not stored
      // yet (the store failed). Never call the function again for this claim: store and publish.
      own.stalled = false;
      this.log.warn('storing the outcome of a start whose store write failed, without running the task again', { runId, generation });
      await this.settleOwn(runId, generation, cascade, own);
      return;
    }
    const owner = `${eventId}/${randomUUID()}`;
    const remaining = remainingMs();
    const leaseMs = Number.isFinite(remaining) ? remaining + DEADLINE_MARGIN_MS : this.config.defaultLeaseMs;
    const claim = await this.store.claim(chain, runId, task, generation, owner, leaseMs);
    if (!claim.claimed) {
      await this.republishIfLost(runId, generation, cascade, claim.existing, remainingMs);
      return;
    }
    // Held until the outcome is stored with the claim: a failing store or broker throws to the
    // caller, whose retry of the record resumes here, so the claim is never given back and the
    // function runs once per claim.
    const start: OwnStart = { owner, outcome: this.runClaimed(runId, generation, inputs, remainingMs, precondition), stalled: false };
    this.started.set(key, start);
    await this.settleOwn(runId, generation, cascade, start);
  }

  private async settleOwn(runId: string, generation: number, cascade: string[] | undefined, start: OwnStart): Promise<void> {
    try {
      await this.settle(runId, generation, cascade, start);
    } catch (err) {
      start.stalled = true;
      throw err;
    }
  }

  /**
   * Runs the task function's attempts for a claim. Never throws: a failing function is a failed
   * outcome, and an announcement the store or broker did not take is carried in the outcome.
   */
  private async runClaimed(runId: string, generation: number, inputs: Record<string, ResultPointer>, remainingMs: () => number, precondition?: Error): Promise<Outcome> {
    const { chain, task, maxAttempts, retryBaseMs } = this.config;
    const startedAt = new Date().toISOString();
    const unannounced: CloudEvent[] = [];
    let lastError: unknown = precondition;
    let attempt = 0;
    for (attempt = 1; !precondition && attempt <= maxAttempts; attempt++) {
      const controller = new AbortController();
      const guard = Number.isFinite(remainingMs()) ? setTimeout(() => controller.abort(new Error('function time is running out')), Math.max(0, remainingMs() - 3000)) : undefined;
      const t0 = Date.now();
      // The task starts right after the claim; its status and task.started are written while it runs.
      const running = this.attempt({ chain, task, runId, attempt, generation, inputs, signal: controller.signal });
      const announced = this.announce(runId, { ...this.attributes(runId, generation), attempt }, startedAt, unannounced);
      if (attempt === 1) this.log.info('task claimed', { runId, generation, inputs: Object.keys(inputs) });
      let result: ResultPointer | undefined;
      try {
        result = checkResult(await running);
      } catch (err) {
        lastError = err;
        this.log.warn('task attempt failed', { runId, generation, attempt, maxAttempts, error: describe(err) });
      } finally {
        if (guard) clearTimeout(guard);
      }
      await announced;
      if (result) return { state: 'succeeded', attempt, startedAt, finishedAt: new Date().toISOString(), result, unannounced, durationMs: Date.now() - t0 };
      const delay = backoff(attempt, { baseMs: retryBaseMs });
      if (attempt < maxAttempts && remainingMs() - delay < DEADLINE_MARGIN_MS) {
        this.log.warn('not enough time left for another attempt', { runId, attempt });
        break;
      }
      if (attempt < maxAttempts) await sleep(delay);
    }
    return { state: 'failed', attempt: Math.min(attempt, maxAttempts), startedAt, finishedAt: new Date().toISOString(), error: describe(lastError), unannounced };
  }

  /**
   * Writes the running status and publishes task.started for one attempt. Neither may start the
   * function a second time: a status the store did not take is overwritten by the outcome's, and
   * a task.started the broker did not take goes out late, with the outcome.
   */
  private async announce(runId: string, attempted: ChainAttributes, startedAt: string, unannounced: CloudEvent[]): Promise<void> {
    const { task, chain } = this.config;
    const started = taskStarted(attempted, new Date().toISOString());
    const [status, sent] = await Promise.allSettled([
      this.store.putStatus(chain, runId, { task, state: 'running', generation: attempted.generation, attempt: attempted.attempt ?? 1, startedAt }),
      this.publish(runId, [started]),
    ]);
    if (status.status === 'rejected') this.log.warn('running status not written; the outcome overwrites it', { runId, error: describe(status.reason) });
    if (sent.status === 'rejected') {
      unannounced.push(started);
      this.log.warn('task.started not published; it is stored with the outcome and published with it', { runId, error: describe(sent.reason) });
    }
  }

  /**
   * Stores a start's outcome with its claim, together with the events still to publish (the
   * outbox), then publishes them. Until the outbox is stored, a failure keeps the start in this
   * container for the record's retry; after it, any delivery of the record publishes the outbox.
   */
  private async settle(runId: string, generation: number, cascade: string[] | undefined, start: OwnStart): Promise<void> {
    const { chain, task } = this.config;
    const outcome = await start.outcome;
    const { startedAt, finishedAt, attempt } = outcome;
    const a: ChainAttributes = { ...this.attributes(runId, generation), attempt };
    let events: CloudEvent[];
    if (outcome.result) {
      const { waiters } = await this.store.putStatus(chain, runId, { task, state: 'succeeded', generation, attempt, startedAt, finishedAt, result: outcome.result });
      events = [...outcome.unannounced, taskSucceeded(a, { result: outcome.result, startedAt, finishedAt, ...(cascade ? { cascade } : {}), ...(waiters.length > 0 ? { waiters } : {}) })];
    } else {
      const error = outcome.error ?? { name: 'Error', message: 'failed' };
      await this.store.putStatus(chain, runId, { task, state: 'failed', generation, attempt, startedAt, finishedAt, error: `${error.name}: ${error.message}` });
      events = [...outcome.unannounced, taskFailed(a, { error, attempts: attempt, startedAt, finishedAt })];
    }
    const hold = await this.store.finishClaim(chain, runId, task, generation, start.owner, outcome.state, PUBLISH_HOLD_MS, events);
    this.started.delete(`${runId}#${generation}`);
    if (hold === undefined) {
      this.log.error('the claim was taken over after its lease ran out; its outcome is the new holder\'s', { runId, generation });
      return;
    }
    await this.publishOutbox(runId, generation, events, hold);
    if (outcome.result) {
      taskMetrics(chain, task, { TaskSucceeded: 1, TaskDuration: Date.now() - Date.parse(startedAt) });
      this.log.info('task succeeded', { runId, generation, attempt, result: outcome.result, durationMs: outcome.durationMs });
    } else {
      taskMetrics(chain, task, { TaskFailed: 1 });
      // The alarm's metric filter matches this line's message.
      this.log.error('task failed', { runId, generation, attempts: attempt, error: outcome.error });
    }
  }

  /** Publishes a stored outbox under the hold `hold`; a failed publish ends the hold for the record's retry. */
  private async publishOutbox(runId: string, generation: number, events: CloudEvent[], hold: number): Promise<void> {
    const { chain, task } = this.config;
    try {
      await this.publish(runId, events);
    } catch (err) {
      await this.store.releasePublish(chain, runId, task, generation, hold).catch(() => undefined);
      throw err;
    }
    await this.store.markPublished(chain, runId, task, generation);
  }

  private attributes(runId: string, generation: number): ChainAttributes {
    const { chain, task } = this.config;
    return { chain, runid: runId, task, generation, ...(generation > 0 ? { rerun: task } : {}) };
  }

  /** One call of the task function; a function that throws before returning its promise rejects it too. */
  private attempt(context: TaskContext): Promise<unknown> {
    try {
      return Promise.resolve(this.fn(context));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * A claim finished but its outbox may not have gone out (crash or broker outage in between):
   * wait while its publisher still holds the publishing, then take it over and publish the
   * stored events now, without running the task.
   */
  private async republishIfLost(runId: string, generation: number, cascade: string[] | undefined, existing: Claim, remainingMs: () => number): Promise<void> {
    const { chain, task } = this.config;
    let claim: Claim | undefined = existing;
    let hold: number | undefined;
    for (let poll = 1; ; poll++) {
      const delay = backoff(poll, { baseMs: PUBLISH_POLL_BASE_MS, capMs: PUBLISH_POLL_CAP_MS });
      if (!claim || claim.state === 'running' || claim.published) {
        this.log.info('duplicate delivery: task already claimed for this run', { runId, generation, state: claim?.state });
        return;
      }
      if ((claim.publishUntil ?? 0) <= Date.now()) {
        hold = await this.store.takePublish(chain, runId, task, generation, claim, PUBLISH_HOLD_MS);
        if (hold !== undefined) break;
      } else if (remainingMs() - delay < DEADLINE_MARGIN_MS) {
        // Not dropped: the record is retried and finds the outcome published, or the hold run out.
        throw new Error(`the outcome of task "${task}" for run ${runId} is still being published by another delivery`);
      } else {
        await sleep(delay);
      }
      claim = await this.store.readClaim(chain, runId, task, generation);
    }
    const outbox = claim?.outbox;
    if (outbox) {
      const events = outbox.map((text) => decodeEvent(text));
      this.log.warn('publishing an outcome that was stored but not published', { runId, generation, types: events.map((e) => e.type) });
      await this.publishOutbox(runId, generation, events, hold!);
      return;
    }
    // A claim finished before claims carried their outbox: rebuild the outcome from the status.
    const status: TaskStatusItem | undefined = (await this.store.statuses(chain, runId, [task])).get(task);
    if (!status || status.generation !== generation) return;
    const a: ChainAttributes = { chain, runid: runId, task, generation, attempt: status.attempt, ...(generation > 0 ? { rerun: task } : {}) };
    const times = { startedAt: status.startedAt ?? '', finishedAt: status.finishedAt ?? '' };
    const event =
      status.state === 'succeeded' && status.result
        ? taskSucceeded(a, { result: status.result, ...times, ...(cascade ? { cascade } : {}), ...(status.waiters?.length ? { waiters: status.waiters } : {}) })
        : taskFailed(a, { error: { name: 'Error', message: status.error ?? 'failed' }, attempts: status.attempt, ...times });
    this.log.warn('republishing an outcome that was stored but not published', { runId, generation, type: event.type });
    await this.publish(runId, [event]);
    await this.store.markPublished(chain, runId, task, generation);
  }
}
