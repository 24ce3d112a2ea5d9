import { createEvent, type CloudEvent } from '../cloudevents';

/**
 * The events of a chain run. They all travel on the chain's topic, keyed by run id, so the
 * events of one run stay in order on one partition. Routing attributes are CloudEvents
 * extensions at the top level of the value, where event source mapping filters can see them.
 */
export const ChainEventType = {
  RUN_REQUESTED: 'run.requested',
  TASK_REQUESTED: 'task.requested',
  TASK_STARTED: 'task.started',
  TASK_SUCCEEDED: 'task.succeeded',
  TASK_FAILED: 'task.failed',
  RUN_DEADLINE_MISSED: 'run.deadline.missed',
} as const;
export type ChainEventTypeName = (typeof ChainEventType)[keyof typeof ChainEventType];

/** The chain's topic name: dots separate the parts, the chain name itself uses '-' only. */
export function chainTopicName(chain: string): string {
  return `chain.${chain}.events`;
}

/** Where a task's result lives; only the pointer travels, never the data. */
export interface ResultPointer {
  /** `s3://bucket/key`, `dynamodb://table/key`, ... */
  uri: string;
  /** Row count, when the task knows it. */
  rows?: number;
  /** Any other small facts (kept under a few KB: this goes into every downstream event). */
  [fact: string]: unknown;
}

/** Extension attributes of every chain event. */
export interface ChainAttributes {
  /** The chain's name: extension attribute `chain`, which the tasks' mapping filters match on. */
  chain: string;
  /** The run's id (also the record key): extension attribute `runid` (CloudEvents names are lower-case). */
  runid: string;
  /** The task the event is about (absent on run.requested). */
  task?: string;
  /** 1-based attempt of the task function within one start. */
  attempt?: number;
  /** 0 for the run itself; each rerun gets a larger one (its request time in ms). */
  generation: number;
  /** The task a rerun was requested for (generation > 0 only). */
  rerun?: string;
}

export interface RunRequestedData {
  requestedBy: string;
}
/** Data of task.requested: a rerun of one task (and everything downstream of it) for a run. */
export interface TaskRequestedData {
  /** Who asked for the rerun: `requestedBy` of the ChainClient, `cli` by default. */
  requestedBy: string;
  /** The rerun task and every task downstream of it: what runs again in this generation. */
  cascade: string[];
}
export interface TaskStartedData {
  startedAt: string;
}
/** Data of task.succeeded: the task's result pointer and when its successful start ran. */
export interface TaskSucceededData {
  /** What the task function returned: a pointer to the result, passed to the tasks that depend on it as an input. */
  result: ResultPointer;
  /** When the task's start (its first attempt) began, ISO 8601. */
  startedAt: string;
  /** When its successful attempt returned, ISO 8601. */
  finishedAt: string;
  /** Carried along a rerun so each task knows which dependencies run again (generation > 0). */
  cascade?: string[];
  /**
   * Reruns' joins (`<task>#<generation>`) that were waiting for this task to succeed for the
   * run: each named task completes that join now.
   */
  waiters?: string[];
}
/** Data of task.failed: the task function failed on every attempt of one start (or time ran out). */
export interface TaskFailedData {
  /** Name and message of the last attempt's error. */
  error: { name: string; message: string };
  /** Attempts made in this start (at most the task's `maxAttempts`). */
  attempts: number;
  /** When the start (its first attempt) began, ISO 8601. */
  startedAt: string;
  /** When the task gave up, ISO 8601. */
  finishedAt: string;
}
export interface RunDeadlineMissedData {
  deadline: string;
  missing: string[];
}

export type ChainEvent<T = unknown> = CloudEvent<T> & ChainAttributes;

/** Reads the chain attributes of an event, or undefined when it is not a chain event. */
export function chainAttributes(event: CloudEvent): ChainAttributes | undefined {
  const e = event as Record<string, unknown>;
  if (typeof e.chain !== 'string' || typeof e.runid !== 'string') return undefined;
  const generation = Number(e.generation ?? 0);
  return {
    chain: e.chain,
    runid: e.runid,
    task: typeof e.task === 'string' ? e.task : undefined,
    attempt: e.attempt === undefined ? undefined : Number(e.attempt),
    generation: Number.isFinite(generation) ? generation : 0,
    rerun: typeof e.rerun === 'string' ? e.rerun : undefined,
  };
}

function chainEvent<T>(type: ChainEventTypeName, attributes: ChainAttributes, data: T, id?: string): ChainEvent<T> {
  const extensions: Record<string, string | number> = { chain: attributes.chain, runid: attributes.runid, generation: attributes.generation };
  if (attributes.task !== undefined) extensions.task = attributes.task;
  if (attributes.attempt !== undefined) extensions.attempt = attributes.attempt;
  if (attributes.rerun !== undefined) extensions.rerun = attributes.rerun;
  const subject = attributes.task ? `${attributes.runid}/${attributes.task}` : attributes.runid;
  return createEvent({ type, source: `msk-pipelines/chain/${attributes.chain}`, subject, data, id, extensions }) as ChainEvent<T>;
}

/**
 * Ids are derived from what the event states, so a republished outcome (after a crash between
 * the store write and the publish) is recognisably the same event.
 */
function stableId(type: string, a: ChainAttributes): string {
  return [a.chain, a.runid, a.task ?? '-', a.generation, type].join('/');
}

export function runRequested(chain: string, runId: string, requestedBy: string): ChainEvent<RunRequestedData> {
  return chainEvent(ChainEventType.RUN_REQUESTED, { chain, runid: runId, generation: 0 }, { requestedBy });
}

/** A rerun of `task` for `runId`; `cascade` is the task and its downstream closure. */
export function taskRequested(chain: string, runId: string, task: string, cascade: string[], generation = Date.now(), requestedBy = 'cli'): ChainEvent<TaskRequestedData> {
  if (!cascade.includes(task)) throw new Error(`cascade of a rerun of "${task}" must include the task itself`);
  return chainEvent(ChainEventType.TASK_REQUESTED, { chain, runid: runId, task, generation, rerun: task }, { requestedBy, cascade });
}

export function taskStarted(a: ChainAttributes, startedAt: string): ChainEvent<TaskStartedData> {
  return chainEvent(ChainEventType.TASK_STARTED, a, { startedAt }, `${stableId(ChainEventType.TASK_STARTED, a)}/${a.attempt ?? 1}`);
}

export function taskSucceeded(a: ChainAttributes, data: TaskSucceededData): ChainEvent<TaskSucceededData> {
  return chainEvent(ChainEventType.TASK_SUCCEEDED, a, data, stableId(ChainEventType.TASK_SUCCEEDED, a));
}

export function taskFailed(a: ChainAttributes, data: TaskFailedData): ChainEvent<TaskFailedData> {
  return chainEvent(ChainEventType.TASK_FAILED, a, data, stableId(ChainEventType.TASK_FAILED, a));
}

export function runDeadlineMissed(chain: string, runId: string, data: RunDeadlineMissedData): ChainEvent<RunDeadlineMissedData> {
  return chainEvent(ChainEventType.RUN_DEADLINE_MISSED, { chain, runid: runId, generation: 0 }, data, `${chain}/${runId}/deadline.missed`);
}

/** A Lambda filter-criteria pattern on the record value (`{ value: {...} }`), as an object. */
export interface ValueFilter {
  value: Record<string, string[]>;
}

/**
 * What a task's event source mapping lets through: a root task sees its chain's run.requested; a
 * dependent task sees task.succeeded of its dependencies; every task sees task.requested (rerun)
 * for itself. Everything else never invokes the function.
 */
export function taskFilters(chain: string, task: string, dependsOn: string[]): ValueFilter[] {
  const start: ValueFilter =
    dependsOn.length === 0
      ? { value: { type: [ChainEventType.RUN_REQUESTED], chain: [chain] } }
      : { value: { type: [ChainEventType.TASK_SUCCEEDED], chain: [chain], task: [...dependsOn] } };
  return [start, { value: { type: [ChainEventType.TASK_REQUESTED], chain: [chain], task: [task] } }];
}
