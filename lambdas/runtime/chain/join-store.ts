import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { encodeEvent, type CloudEvent } from '../cloudevents';
import type { ResultPointer } from './events';

/**
 * Key schema of the join table (see JoinStore): partition key `pk`, sort key `sk` (strings), TTL
 * attribute `expiresAt` (epoch seconds).
 */
export const JOIN_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', timeToLive: 'expiresAt' } as const;

export type ClaimState = 'running' | 'succeeded' | 'failed';

export interface Claim {
  state: ClaimState;
  owner: string;
  claimedAt: string;
  leaseUntil: number;
  /** Whether the outcome event went out; a redelivery republishes it when not. */
  published: boolean;
  /**
   * Until when (epoch ms) the outcome is being published by whoever finished or took the claim
   * last; before then a redelivery waits instead of publishing the outcome a second time.
   */
  publishUntil?: number;
  /**
   * The events still to publish (encoded CloudEvents: a task.started the broker did not take,
   * then the outcome), stored with the outcome so that a redelivery publishes them without
   * running the task again.
   */
  outbox?: string[];
}

export interface TaskStatusItem {
  task: string;
  state: 'running' | 'succeeded' | 'failed';
  generation: number;
  attempt: number;
  startedAt?: string;
  finishedAt?: string;
  result?: ResultPointer;
  error?: string;
  /** The latest success, kept while a rerun runs, so tasks outside the rerun count with it. */
  lastResult?: ResultPointer;
  lastSucceededAt?: string;
  lastSucceededGeneration?: number;
  /**
   * Reruns' joins waiting for this task's first success, as `<task>#<generation>`: the success
   * that finds them here names them in its task.succeeded, so those joins complete.
   */
  waiters?: string[];
}

/** A rerun's join that waits for dependencies outside the rerun's cascade. */
export interface PendingRejoin {
  /** The rerun's cascade: its task and every task downstream of it. */
  cascade: string[];
  /** Results of the dependencies inside the cascade, already joined in the rerun's generation. */
  inputs: Record<string, ResultPointer>;
}

/** What a status write did; `waiters` are the joins waiting for the task (see TaskStatusItem). */
export interface StatusWrite {
  /** False when a newer generation's status was there (and stays). */
  written: boolean;
  waiters: string[];
}

export type ClaimOutcome = { claimed: true } | { claimed: false; existing: Claim };

export interface JoinStoreOptions {
  /** Days a run's items live after their last write. @default 30 */
  retentionDays?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The join state of chain runs in one DynamoDB table (partition key `pk`, sort key `sk`, TTL
 * attribute `expiresAt`). One partition per run, `<chain>#<runId>`, holding per task:
 *
 * - `task#<task>`            status: state, generation, attempt, times, last success and its result
 * - `join#<task>#<gen>`      the dependencies seen succeeding for this generation, with their results
 * - `claim#<task>#<gen>`     the one start of the task for this generation (conditional put)
 * - `rejoin#<task>#<gen>`    a rerun's join that waits for dependencies outside its cascade, with
 *                            its cascade and the results it already has
 *
 * Every write that decides something is conditional, so duplicate and concurrent deliveries of the
 * same event agree on one outcome. Items expire `retentionDays` after their last write.
 */
export class JoinStore {
  private readonly retentionSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    options: JoinStoreOptions = {},
  ) {
    this.retentionSeconds = Math.round((options.retentionDays ?? 30) * 86400);
    this.now = options.now ?? Date.now;
  }

  static pk(chain: string, runId: string): string {
    return `${chain}#${runId}`;
  }

  private expiresAt(): number {
    return Math.floor(this.now() / 1000) + this.retentionSeconds;
  }

  /**
   * Records that `dependency` succeeded with `result` for `task`'s join in `generation` and
   * returns every dependency recorded so far with its result (atomic: ADD to a string set).
   */
  async recordDependency(chain: string, runId: string, task: string, generation: number, dependency: string, result: ResultPointer): Promise<Record<string, ResultPointer>> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: JoinStore.pk(chain, runId), sk: `join#${task}#${generation}` },
        UpdateExpression: 'ADD #done :dep SET #result = :result, #expires = :expires',
        ExpressionAttributeNames: { '#done': 'done', '#result': `result_${dependency}`, '#expires': 'expiresAt' },
        ExpressionAttributeValues: { ':dep': new Set([dependency]), ':result': result, ':expires': this.expiresAt() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = out.Attributes ?? {};
    const done = item.done instanceof Set ? [...(item.done as Set<string>)] : [];
    return Object.fromEntries(done.map((d) => [d, item[`result_${d}`] as ResultPointer]));
  }

  /**
   * Takes the one start of `task` for `generation`. Fails when another delivery holds it, unless
   * that one is still `running` past its lease (its function died): then this one takes over.
   */
  async claim(chain: string, runId: string, task: string, generation: number, owner: string, leaseMs: number): Promise<ClaimOutcome> {
    const key = { pk: JoinStore.pk(chain, runId), sk: `claim#${task}#${generation}` };
    const now = this.now();
    const claim: Claim = { state: 'running', owner, claimedAt: new Date(now).toISOString(), leaseUntil: now + leaseMs, published: false };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, ...claim, expiresAt: this.expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :running AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':running': 'running', ':now': now },
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) && (err as Error).name !== 'ConditionalCheckFailedException') throw err;
      const existing = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      return { claimed: false, existing: existing.Item as Claim };
    }
  }

  /**
   * Marks the claim finished (owner only), stores its outbox and holds the publishing of it for
   * `publishLeaseMs`; `markPublished` records, separately, that the outbox went out. Returns the
   * hold (its end, epoch ms), or undefined when the claim is no longer this owner's (taken over
   * after its lease ran out).
   */
  async finishClaim(chain: string, runId: string, task: string, generation: number, owner: string, state: ClaimState, publishLeaseMs: number, outbox: CloudEvent[]): Promise<number | undefined> {
    const until = this.now() + publishLeaseMs;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: JoinStore.pk(chain, runId), sk: `claim#${task}#${generation}` },
          UpdateExpression: 'SET #state = :state, finishedAt = :at, publishUntil = :until, outbox = :outbox',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':state': state,
            ':owner': owner,
            ':at': new Date(this.now()).toISOString(),
            ':until': until,
            ':outbox': outbox.map((event) => encodeEvent(event).toString('utf8')),
          },
        }),
      );
      return until;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  /** The claim of `task` for `generation` (consistent read), if any. */
  async readClaim(chain: string, runId: string, task: string, generation: number): Promise<Claim | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: JoinStore.pk(chain, runId), sk: `claim#${task}#${generation}` }, ConsistentRead: true }),
    );
    return out.Item as Claim | undefined;
  }

  /**
   * Takes over publishing a finished claim's outcome whose publisher's hold ran out (it died
   * between the store write and the publish). Only one redelivery wins: the update is
   * conditional on the hold it saw. Returns the hold this one took (its end, epoch ms), or
   * undefined when another won.
   */
  async takePublish(chain: string, runId: string, task: string, generation: number, seen: Claim, publishLeaseMs: number): Promise<number | undefined> {
    const now = this.now();
    const until = now + publishLeaseMs;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: JoinStore.pk(chain, runId), sk: `claim#${task}#${generation}` },
          UpdateExpression: 'SET publishUntil = :until',
          ConditionExpression:
            seen.publishUntil === undefined
              ? 'published = :false AND attribute_not_exists(publishUntil)'
              : 'published = :false AND publishUntil = :seen AND publishUntil < :now',
          ExpressionAttributeValues: { ':until': until, ':false': false, ...(seen.publishUntil === undefined ? {} : { ':seen': seen.publishUntil, ':now': now }) },
        }),
      );
      return until;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw err;
    }
  }

  /**
   * Ends a hold on publishing a finished claim's outbox (`hold`, as finishClaim or takePublish
   * returned it) whose publish failed, so the record's retry publishes at once instead of
   * waiting for the hold to run out. A hold taken by someone else since stays.
   */
  async releasePublish(chain: string, runId: string, task: string, generation: number, hold: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: JoinStore.pk(chain, runId), sk: `claim#${task}#${generation}` },
        UpdateExpression: 'SET publishUntil = :zero',
        ConditionExpression: 'publishUntil = :hold AND published = :false',
        ExpressionAttributeValues: { ':zero': 0, ':hold': hold, ':false': false },
      }),
    );
  }

  async markPublished(chain: string, runId: string, task: string, generation: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: JoinStore.pk(chain, runId), sk: `claim#${task}#${generation}` },
        UpdateExpression: 'SET published = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  }

  /**
   * Writes a task's status. An older generation never overwrites a newer one (a late retry of
   * the run must not hide a rerun's state). Returns, read in the same atomic write, the joins
   * waiting for the task, so a success never misses a waiter registered just before it.
   */
  async putStatus(chain: string, runId: string, status: Omit<TaskStatusItem, 'lastResult' | 'lastSucceededAt' | 'lastSucceededGeneration' | 'waiters'>): Promise<StatusWrite> {
    const names: Record<string, string> = { '#generation': 'generation' };
    const values: Record<string, unknown> = { ':generation': status.generation, ':expires': this.expiresAt() };
    const sets = ['#generation = :generation', 'expiresAt = :expires'];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(status)) {
      if (field === 'generation') continue;
      names[`#${field}`] = field;
      if (value === undefined) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    for (const optional of ['finishedAt', 'result', 'error'] as const) {
      if (!(optional in status)) {
        names[`#${optional}`] = optional;
        removes.push(`#${optional}`);
      }
    }
    if (status.state === 'succeeded') {
      sets.push('lastResult = :result', 'lastSucceededAt = :finishedAt', 'lastSucceededGeneration = :generation');
    }
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: JoinStore.pk(chain, runId), sk: `task#${status.task}` },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_not_exists(#generation) OR #generation <= :generation',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { written: true, waiters: stringSet(out.Attributes?.waiters) };
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return { written: false, waiters: [] };
      throw err;
    }
  }

  /**
   * Parks a rerun's join of `task` in `generation` until `dependencies` (outside the rerun's
   * cascade, never succeeded yet for the run) have succeeded: stores the join as pending and
   * adds it to each dependency's waiters. Each add reads the dependency's status in the same
   * atomic write, so either it sees the dependency's success here, or that success (written
   * later) sees the waiter. Returns the results of the dependencies that have succeeded by now.
   */
  async awaitDependencies(chain: string, runId: string, task: string, generation: number, pending: PendingRejoin, dependencies: string[]): Promise<Record<string, ResultPointer>> {
    const pk = JoinStore.pk(chain, runId);
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk, sk: `rejoin#${task}#${generation}`, ...pending, expiresAt: this.expiresAt() } }));
    const found: Record<string, ResultPointer> = {};
    for (const dependency of dependencies) {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: `task#${dependency}` },
          UpdateExpression: 'ADD waiters :waiter SET expiresAt = :expires',
          ExpressionAttributeValues: { ':waiter': new Set([`${task}#${generation}`]), ':expires': this.expiresAt() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const result = out.Attributes?.lastResult as ResultPointer | undefined;
      if (result) found[dependency] = result;
    }
    return found;
  }

  /** The pending rerun join of `task` in `generation` (consistent read), if it still waits. */
  async readRejoin(chain: string, runId: string, task: string, generation: number): Promise<PendingRejoin | undefined> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: JoinStore.pk(chain, runId), sk: `rejoin#${task}#${generation}` }, ConsistentRead: true }),
    );
    return out.Item ? { cascade: out.Item.cascade as string[], inputs: out.Item.inputs as Record<string, ResultPointer> } : undefined;
  }

  /** Forgets a pending rerun join once its task has been started (the claim dedupes any later attempt). */
  async deleteRejoin(chain: string, runId: string, task: string, generation: number): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: JoinStore.pk(chain, runId), sk: `rejoin#${task}#${generation}` } }));
  }

  /** Status items of the given tasks (consistent reads); tasks never started are absent. */
  async statuses(chain: string, runId: string, tasks: string[]): Promise<Map<string, TaskStatusItem>> {
    const result = new Map<string, TaskStatusItem>();
    for (let i = 0; i < tasks.length; i += 100) {
      let keys: Array<Record<string, unknown>> = tasks.slice(i, i + 100).map((t) => ({ pk: JoinStore.pk(chain, runId), sk: `task#${t}` }));
      for (let round = 0; keys.length > 0 && round < 10; round++) {
        const out = await this.db.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const status = toStatus(item);
          if (status) result.set(status.task, status);
        }
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys as Array<Record<string, unknown>> | undefined) ?? [];
      }
    }
    return result;
  }

  /** Every status item of a run. */
  async runStatuses(chain: string, runId: string): Promise<TaskStatusItem[]> {
    const items: TaskStatusItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
          ExpressionAttributeValues: { ':pk': JoinStore.pk(chain, runId), ':task': 'task#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const status = toStatus(item);
        if (status) items.push(status);
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}

/** A status item as stored; an item holding only waiters (the task never started) is no status yet. */
function toStatus(item: Record<string, unknown>): TaskStatusItem | undefined {
  if (typeof item.state !== 'string' || typeof item.task !== 'string') return undefined;
  const status = { ...item } as unknown as TaskStatusItem;
  if (item.waiters !== undefined) status.waiters = stringSet(item.waiters);
  return status;
}

function stringSet(value: unknown): string[] {
  return value instanceof Set ? [...(value as Set<string>)].sort() : [];
}
