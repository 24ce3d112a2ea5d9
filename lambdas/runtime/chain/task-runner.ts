import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '../cloudevents';
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
  readonly chain: string;
  readonly task: string;
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

const MAX_RESULT_BYTES = 8 * 1024;
/**
 * How long whoever finished a claim holds the publishing of its outcome. A publish takes
 * milliseconds; the hold only bounds how long a redelivery waits before it takes over from a
 * publisher that died between the store write and the publish.
 */
const PUBLISH_HOLD_MS = 10_000;
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
    const owner = `${eventId}/${randomUUID()}`;
    const remaining = remainingMs();
    const leaseMs = Number.isFinite(remaining) ? remaining + 5000 : this.config.defaultLeaseMs;
    const claim = await this.store.claim(chain, runId, task, generation, owner, leaseMs);
    if (!claim.claimed) {
      await this.republishIfLost(runId, generation, cascade, claim.existing, remainingMs);
      return;
    }
    try {
      await this.runClaimed(runId, generation, inputs, cascade, owner, remainingMs, precondition);
    } catch (err) {
      // The store or the broker failed: give the claim back so the caller's retry of this record can take it.
      // Keep trying while time is left: a claim left running would make that retry a "duplicate" and drop it.
      for (let delay = 200, since = Date.now(); ; delay = Math.min(delay * 2, 2000)) {
        const released = await this.store.releaseClaim(chain, runId, task, generation, owner).then(() => true, (e: Error) => e.name === 'ConditionalCheckFailedException');
        if (released || remainingMs() - delay < 5000 || Date.now() - since > 30_000) {
          if (!released) this.log.error('could not give the claim back; until its lease ends a redelivery is taken for a duplicate', { runId, generation, error: describe(err) });
          break;
        }
        await sleep(delay);
      }
      throw err;
    }
  }

  private async runClaimed(
    runId: string,
    generation: number,
    inputs: Record<string, ResultPointer>,
    cascade: string[] | undefined,
    owner: string,
    remainingMs: () => number,
    precondition?: Error,
  ): Promise<void> {
    const { chain, task, maxAttempts, retryBaseMs } = this.config;
    const base: ChainAttributes = { chain, runid: runId, task, generation, ...(generation > 0 ? { rerun: task } : {}) };
    const startedAt = new Date().toISOString();
    let lastError: unknown = precondition;
    let attempt = 0;
    for (attempt = 1; !precondition && attempt <= maxAttempts; attempt++) {
      const attempted = { ...base, attempt };
      const controller = new AbortController();
      const guard = Number.isFinite(remainingMs()) ? setTimeout(() => controller.abort(new Error('function time is running out')), Math.max(0, remainingMs() - 3000)) : undefined;
      const t0 = Date.now();
      // The task starts right after the claim; its status and task.started are written while it runs.
      const running = this.attempt({ chain, task, runId, attempt, generation, inputs, signal: controller.signal });
      const announced = Promise.all([
        this.store.putStatus(chain, runId, { task, state: 'running', generation, attempt, startedAt }),
        this.publish(runId, [taskStarted(attempted, new Date().toISOString())]),
      ]);
      announced.catch(() => undefined);
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
      // Store and broker errors are not the task's: from here on they throw to the caller, which retries the record.
      await announced;
      if (result) {
        const finishedAt = new Date().toISOString();
        const { waiters } = await this.store.putStatus(chain, runId, { task, state: 'succeeded', generation, attempt, startedAt, finishedAt, result });
        await this.store.finishClaim(chain, runId, task, generation, owner, 'succeeded', PUBLISH_HOLD_MS);
        await this.publish(runId, [taskSucceeded(attempted, { result, startedAt, finishedAt, ...(cascade ? { cascade } : {}), ...(waiters.length > 0 ? { waiters } : {}) })]);
        await this.store.markPublished(chain, runId, task, generation);
        taskMetrics(chain, task, { TaskSucceeded: 1, TaskDuration: Date.now() - Date.parse(startedAt) });
        this.log.info('task succeeded', { runId, generation, attempt, result, durationMs: Date.now() - t0 });
        return;
      }
      const delay = retryBaseMs * 2 ** (attempt - 1);
      if (attempt < maxAttempts && remainingMs() - delay < 5000) {
        this.log.warn('not enough time left for another attempt', { runId, attempt });
        break;
      }
      if (attempt < maxAttempts) await sleep(delay);
    }
    const attempts = Math.min(attempt, maxAttempts);
    const finishedAt = new Date().toISOString();
    const error = describe(lastError);
    await this.store.putStatus(chain, runId, { task, state: 'failed', generation, attempt: attempts, startedAt, finishedAt, error: `${error.name}: ${error.message}` });
    await this.store.finishClaim(chain, runId, task, generation, owner, 'failed', PUBLISH_HOLD_MS);
    await this.publish(runId, [taskFailed({ ...base, attempt: attempts }, { error, attempts, startedAt, finishedAt })]);
    await this.store.markPublished(chain, runId, task, generation);
    taskMetrics(chain, task, { TaskFailed: 1 });
    // The alarm's metric filter matches this line's message.
    this.log.error('task failed', { runId, generation, attempts, error });
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
   * A claim finished but its outcome event may not have gone out (crash in between): wait while
   * its publisher still holds the publishing, then take it over and publish the outcome now.
   */
  private async republishIfLost(runId: string, generation: number, cascade: string[] | undefined, existing: Claim, remainingMs: () => number): Promise<void> {
    const { chain, task } = this.config;
    let claim: Claim | undefined = existing;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      if (!claim || claim.state === 'running' || claim.published) {
        this.log.info('duplicate delivery: task already claimed for this run', { runId, generation, state: claim?.state });
        return;
      }
      if ((claim.publishUntil ?? 0) <= Date.now()) {
        if (await this.store.takePublish(chain, runId, task, generation, claim, PUBLISH_HOLD_MS)) break;
      } else if (remainingMs() - delay < 5000) {
        // Not dropped: the record is retried and finds the outcome published, or the hold run out.
        throw new Error(`the outcome of task "${task}" for run ${runId} is still being published by another delivery`);
      } else {
        await sleep(delay);
      }
      claim = await this.store.readClaim(chain, runId, task, generation);
    }
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
