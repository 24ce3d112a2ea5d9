import { randomUUID } from 'crypto';
import { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { backoff } from '../../../lambdas/runtime/backoff';
import { parseItemIdentifier } from '../../../lambdas/runtime/batch-response';
import { buildKafkaEvent, EmulatedRecord, eventIds, KafkaEventSource, parsedValue, toEmulatedRecord } from './event';
import { FailureContext, kafkaDestinationRecord, queueDestinationRecord } from './failure-record';
import { filterView, matchesAny } from './filter';
import { FunctionHost, InvokeResult } from './function-host';
import { LocalQueues } from './local-queue';
import { EmulatorLogger, errorField } from './logger';
import { MappingModel } from './model';

/** One function invocation, as the report lists it. */
export interface InvocationRecord {
  /** The function's local name (`FunctionModel.name`). */
  readonly functionName: string;
  /** Logical id of the function's resource in its stack. */
  readonly logicalId: string;
  /** `<stack>/<mapping logical id>` for mapping invocations; `http`, `schedule` or `direct` otherwise. */
  readonly mapping?: string;
  /** What started it: an event source mapping, an HTTP API route, a schedule, or `Emulator.invoke`. */
  readonly trigger: 'mapping' | 'http' | 'schedule' | 'direct';
  /** CloudEvents `id` of each record of the batch whose value is one (empty for other triggers). */
  readonly eventIds: string[];
  /** Records in the batch for mapping invocations; 1 for other triggers. */
  readonly recordCount: number;
  /** `<topic>-<partition>@<first>..<last>` for mapping invocations. */
  readonly records?: string;
  /** When the invoke phase started, ISO 8601 (after a cold start's init phase). */
  readonly start: string;
  /** When the invocation ended, ISO 8601. */
  readonly end: string;
  /** `end - start` in ms: the invoke phase, without a cold start's init. */
  readonly durationMs: number;
  /** Whether it was the first invocation of its execution environment. */
  readonly coldStart: boolean;
  /** As `InvokeResult.outcome`, plus `partial`: the mapping reports item failures and the function returned some in `batchItemFailures`. */
  readonly outcome: 'succeeded' | 'failed' | 'timed-out' | 'partial';
  /** `<errorType>: <errorMessage>` when the invocation failed or timed out. */
  readonly error?: string;
  /** Attempt number of this batch (1 = first delivery). */
  readonly attempt?: number;
  /** The invocation's request id: the log lines of the invocation carry it (`function-log` events). */
  readonly requestId?: string;
  /** The error's stack trace, when the function threw. */
  readonly stack?: string;
}

/** Records a mapping sent to its on-failure destination after its retries (`dead-letter` events). */
export interface DestinationDelivery {
  /** `<stack>/<mapping logical id>`. */
  readonly mapping: string;
  readonly functionName: string;
  /** `<topic>-<partition>@<first>..<last>` of the records. */
  readonly records: string;
  readonly recordCount: number;
  readonly attempts: number;
  /** `kafka://<topic>`, `sqs:<queue>`, or the destination's ARN when it is not emulated. */
  readonly destination?: string;
  /** Whether the records reached an emulated destination (false: discarded, as with none). */
  readonly delivered: boolean;
}

export interface MappingRunnerDeps {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly host: FunctionHost;
  readonly queues: LocalQueues;
  readonly bootstrapServers: string;
  readonly onInvocation: (record: InvocationRecord) => void;
  /** Called once records went to (or, without an emulated destination, were dropped instead of) the on-failure destination. @default none */
  readonly onDestination?: (delivery: DestinationDelivery) => void;
  /** Where the runner's own entries go (crashes, lost commits, destinations). */
  readonly logger: EmulatorLogger;
  /** First retry delay; doubles per retry up to 2 s. @default 100 */
  readonly retryBackoffMs?: number;
  /**
   * Consumer group session timeout: a member not heard from for this long is evicted. The broker
   * accepts `group.min.session.timeout.ms` (6 s) to `group.max.session.timeout.ms` (30 min).
   * @default 30000
   */
  readonly sessionTimeoutMs?: number;
  /** How often the consumer heartbeats, between fetches and while a batch is in flight; below `sessionTimeoutMs`. @default 3000 */
  readonly heartbeatIntervalMs?: number;
}

/** A new group's coordinator is elected within seconds: retry every 250 ms, 20 times (5 s). */
const COORDINATOR_RETRY_MS = 250;
const COORDINATOR_ATTEMPTS = 20;

/** Retries group-coordinator errors of a group that was just created (the broker is still electing its coordinator). */
async function retrying<T>(op: () => Promise<T>, attempts = COORDINATOR_ATTEMPTS): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await op();
    } catch (e) {
      const retriable = (e as { retriable?: boolean }).retriable === true || /coordinator/i.test((e as Error).message);
      if (!retriable || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, COORDINATOR_RETRY_MS));
    }
  }
}

/** kafkajs has no background heartbeat: the runner sends one at this pace while a batch is in flight too. */
const HEARTBEAT_INTERVAL_MS = 3000;
const SESSION_TIMEOUT_MS = 30000;
/** How long a rebalance waits for members to rejoin (kafkajs's default is 60 s; one process rejoins fast). */
const REBALANCE_TIMEOUT_MS = 10_000;
/** Fetch wait without a batching window: return within this when no record is there. */
const IDLE_FETCH_WAIT_MS = 100;
/**
 * With a batching window the broker gathers records until the window ends or 6 MB are there:
 * Lambda invokes when the window ends or the batch reaches the 6 MB invocation payload limit.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html (batching behavior)
 */
const BATCH_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** Largest fetch response (kafkajs's default): above a full 6 MB batch plus protocol overhead. */
const MAX_FETCH_BYTES = 10 * 1024 * 1024;
/** kafkajs's own retries of a consumer's requests before it crashes the consumer (then `crashed` restarts it). */
const CONSUMER_REQUEST_RETRIES = 10;
/** Pause before a consumer that kafkajs gave up on is replaced. */
const RESTART_DELAY_MS = 1000;

/**
 * What delivering one fetched batch needs, built once per batch (as kafkajs hands `eachBatch`
 * one payload) instead of threading the batch's state through every call.
 */
interface BatchControl {
  /** False once the emulator or kafkajs stops, the batch went stale, or the group dropped this member. */
  live(): boolean;
  /** Commits `next` for the partition; false (and the batch is no longer live) when the group dropped this member. */
  commit(topic: string, partition: number, next: number): Promise<boolean>;
}

/** Group errors after which this member owns no partitions until it joins again. */
const MEMBERSHIP_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID']);

/** The kafkajs protocol error behind `e` (kafkajs wraps it in retry errors, keeping it as `cause`). */
function membershipError(e: unknown): Error {
  let err = e as (Error & { type?: string; cause?: unknown }) | undefined;
  for (let depth = 0; err && depth < 5; depth++) {
    if (err.type !== undefined && MEMBERSHIP_ERRORS.has(err.type)) return err;
    err = err.cause as typeof err;
  }
  return e as Error;
}

/** Kafka's authorization errors: the poller's principal lacks an ACL (locally, its role a `kafka-cluster:*` grant). */
const AUTHORIZATION_ERRORS = new Set(['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED']);

/**
 * What Lambda shows as the mapping's `LastProcessingResult` when the cluster refuses its poller:
 * undefined for any other error.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html
 */
export function pollerProblem(e: unknown): string | undefined {
  let err = e as (Error & { type?: string; cause?: unknown }) | undefined;
  for (let depth = 0; err && depth < 5; depth++) {
    if (err.type !== undefined && AUTHORIZATION_ERRORS.has(err.type)) return 'PROBLEM: Cluster failed to authorize Lambda.';
    if (err.name === 'KafkaJSSASLAuthenticationError') return 'PROBLEM: SASL authentication failed.';
    err = err.cause as typeof err;
  }
  return undefined;
}

function membershipLost(e: unknown): boolean {
  const err = membershipError(e) as { type?: string };
  return err.type !== undefined && MEMBERSHIP_ERRORS.has(err.type);
}

/** First retry delay of a failed batch, in ms (EmulatorOptions.retryBackoffMs). */
const DEFAULT_RETRY_BACKOFF_MS = 100;
/** Longest retry delay of a failed batch, in ms. */
const MAX_RETRY_BACKOFF_MS = 2000;

/** Lambda's retry cap when retries are infinite and an on-failure destination is set. */
const RETRIES_WITH_DESTINATION = 10;

/**
 * One Kafka event source mapping: its own consumer group, batches per partition in order,
 * filter criteria, offsets committed only once a batch succeeded or went to the on-failure
 * destination, bounded retries, bisect and partial batch responses as Lambda does them.
 */
export class MappingRunner {
  private consumer?: Consumer;
  private running = false;
  private partitions = 1;
  private restartTimer?: NodeJS.Timeout;
  private restarting?: Promise<void>;
  private batchesInFlight = 0;
  /** Highest offset committed per `<topic>-<partition>`: a marker commit never goes back behind a batch's. */
  private readonly committed = new Map<string, number>();
  private readonly source: KafkaEventSource;
  private readonly maxRetries: number;

  constructor(public readonly mapping: MappingModel, private readonly deps: MappingRunnerDeps) {
    this.source = { eventSource: mapping.eventSource, eventSourceArn: mapping.eventSourceArn, bootstrapServers: deps.bootstrapServers };
    const configured = mapping.maximumRetryAttempts;
    this.maxRetries = configured >= 0 ? configured : mapping.onFailure ? RETRIES_WITH_DESTINATION : Infinity;
  }

  get id(): string {
    return `${this.mapping.stack}/${this.mapping.logicalId}`;
  }

  private get heartbeatIntervalMs(): number {
    return this.deps.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
  }

  /**
   * Joins the consumer group and starts polling; resolves once partitions are assigned, or once
   * the cluster refused the poller (then the mapping stays idle with its {@link problem}).
   */
  async start(): Promise<void> {
    this.partitions = await this.partitionCount();
    if (this.mapping.startingPosition === 'LATEST') await retrying(() => this.pinLatest());
    this.running = true;
    try {
      await this.connect(true);
    } catch (e) {
      if (!this.refused(e)) throw e;
    }
  }

  /** Why the mapping reads nothing (Lambda's `LastProcessingResult`); undefined while it polls. */
  problem?: string;

  /**
   * When the cluster refuses the poller (authentication, or an ACL its role does not grant), the
   * mapping stops polling with Lambda's PROBLEM text, once, rather than restart its consumer
   * every second: locally the role cannot change during a run.
   */
  private refused(e: unknown): boolean {
    const problem = pollerProblem(e);
    if (problem === undefined) return false;
    if (this.problem !== undefined) return true;
    this.problem = problem;
    this.running = false;
    clearTimeout(this.restartTimer);
    this.deps.logger.warn(problem, { mapping: this.id, function: this.mapping.functionName, error: errorField(e) });
    void this.consumer?.disconnect().catch(() => undefined);
    return true;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    await this.restarting;
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Creates the mapping's consumer and starts it; with `awaitJoin`, resolves once partitions are assigned. */
  private async connect(awaitJoin: boolean): Promise<void> {
    const m = this.mapping;
    const window = m.batchingWindow;
    const consumer = this.deps.kafka.consumer({
      groupId: m.consumerGroupId,
      // Window 0: return as soon as one record is there; else let the broker gather a batch.
      maxWaitTimeInMs: window > 0 ? Math.round(window * 1000) : IDLE_FETCH_WAIT_MS,
      minBytes: window > 0 ? BATCH_PAYLOAD_LIMIT_BYTES : 1,
      maxBytes: MAX_FETCH_BYTES,
      sessionTimeout: this.deps.sessionTimeoutMs ?? SESSION_TIMEOUT_MS,
      heartbeatInterval: this.heartbeatIntervalMs,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      retry: { retries: CONSUMER_REQUEST_RETRIES },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => this.crashed(consumer, payload));
    // A fetch that holds only transaction markers or aborted records never reaches eachBatch (see
    // processBatch for markers behind records). Everything before such a fetch is committed already.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize > 0 || consumer !== this.consumer || !this.running) return;
      const next = Number(payload.lastOffset) + 1;
      if (next <= (this.committed.get(`${payload.topic}-${payload.partition}`) ?? -1)) return;
      void this.commit(payload.topic, payload.partition, next, () => undefined).catch(() => undefined);
    });
    const joined = new Promise<void>((resolve, reject) => {
      const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => { offJoin(); offCrash(); resolve(); });
      const offCrash = consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        offJoin(); offCrash(); reject(payload.error);
      });
    });
    if (!awaitJoin) joined.catch(() => undefined);
    await consumer.connect();
    await consumer.subscribe({ topics: m.topics, fromBeginning: m.startingPosition !== 'LATEST' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, this.partitions),
      eachBatch: (payload) => this.eachBatch(payload),
    });
    if (awaitJoin) await joined;
  }

  /**
   * kafkajs restarts a consumer after a retriable error only; after any other it stays
   * disconnected and the mapping would stop for good without a word. Lambda's poller never gives
   * up on a mapping, so a new consumer takes over from the committed offsets.
   */
  private crashed(consumer: Consumer, crash: { error: Error; restart: boolean }): void {
    if (!this.running || consumer !== this.consumer) return;
    if (this.refused(crash.error)) return;
    this.deps.logger.warn('consumer crashed', {
      mapping: this.id, error: errorField(crash.error), restartBy: crash.restart ? 'kafkajs' : 'runner', restartInMs: crash.restart ? undefined : RESTART_DELAY_MS,
    });
    if (!crash.restart) this.scheduleRestart();
  }

  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restarting = this.restart();
    }, RESTART_DELAY_MS);
  }

  private async restart(): Promise<void> {
    if (!this.running) return;
    try {
      await this.connect(false);
      this.deps.logger.info('consumer restarted', { mapping: this.id });
    } catch (e) {
      if (this.refused(e)) return;
      this.deps.logger.warn('consumer restart failed; trying again', { mapping: this.id, error: errorField(e), restartInMs: RESTART_DELAY_MS });
      await this.consumer?.disconnect().catch(() => undefined);
      if (this.running) this.scheduleRestart();
    }
  }

  /** True while a batch is being filtered, invoked, retried or sent to its destination. */
  get busy(): boolean {
    return this.batchesInFlight > 0;
  }

  /** Records of the mapping's topics not yet committed by its consumer group. */
  async lag(): Promise<number> {
    const { admin } = this.deps;
    let lag = 0;
    for (const topic of this.mapping.topics) {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: this.mapping.consumerGroupId, topics: [topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const end of ends) {
        const at = done.get(end.partition) ?? -1;
        // No commit yet: everything from the low watermark on is still to be read.
        lag += Number(end.high) - (at >= 0 ? at : Number(end.low));
      }
    }
    return lag;
  }

  /** Marks the runner as stopping so that retry loops end without committing. */
  halt(): void {
    this.running = false;
  }

  private async partitionCount(): Promise<number> {
    const meta = await this.deps.admin.fetchTopicMetadata({ topics: this.mapping.topics });
    return meta.topics.reduce((n, t) => n + t.partitions.length, 0);
  }

  /**
   * LATEST means "records produced after the mapping was created": commit the current end of
   * each partition for a group that has no offsets yet, so that no record produced after start is missed.
   */
  private async pinLatest(): Promise<void> {
    const { admin } = this.deps;
    const committed = await admin.fetchOffsets({ groupId: this.mapping.consumerGroupId, topics: this.mapping.topics });
    for (const t of committed) {
      if (!t.partitions.some((p) => p.offset === '-1')) continue;
      const ends = await admin.fetchTopicOffsets(t.topic);
      const partitions = t.partitions
        .filter((p) => p.offset === '-1')
        .map((p) => ({ partition: p.partition, offset: ends.find((e) => e.partition === p.partition)?.high ?? '0' }));
      await admin.setOffsets({ groupId: this.mapping.consumerGroupId, topic: t.topic, partitions });
    }
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    this.batchesInFlight++;
    try {
      await this.processBatch(payload);
    } finally {
      this.batchesInFlight--;
    }
  }

  private async processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    // Set when the group no longer counts this member: nothing of the batch may be committed then.
    let lost: Error | undefined;
    const onLost = (e: Error) => { lost ??= e; };
    const live = () => lost === undefined && this.running && isRunning() && !isStale();
    const control: BatchControl = { live, commit: (topic, partition, next) => this.commit(topic, partition, next, onLost) };
    // kafkajs heartbeats only between fetches, but an invocation may run up to the function's
    // timeout (a redelivered record can wait most of a minute for the in-progress idempotency
    // record of its killed first run). Without heartbeats meanwhile the coordinator evicts the
    // member after the session timeout; Lambda's poller keeps its partitions while it waits.
    const beat = setInterval(() => {
      heartbeat().catch((e: unknown) => {
        if (membershipLost(e)) onLost(membershipError(e));
      });
    }, this.heartbeatIntervalMs);
    try {
      const size = this.mapping.batchSize;
      const records = batch.messages.map((msg) => toEmulatedRecord(batch.topic, batch.partition, msg));
      let committedAll = true;
      for (let i = 0; i < records.length && live(); i += size) {
        const chunk = records.slice(i, i + size);
        const done = await this.processChunk(chunk, control);
        const last = chunk[chunk.length - 1];
        if (!done || !live() || !(await control.commit(last.topic, last.partition, last.offset + 1))) {
          committedAll = false;
          break;
        }
        // Resolved only once committed: kafkajs fetches an unresolved batch again.
        resolveOffset(String(last.offset));
      }
      // A transaction's commit marker after the last record takes an offset too (a transactional
      // producer wrote, e.g. `dlq redrive`): commit past it, or the group would lag by one for ever.
      const end = Number(batch.lastOffset());
      if (committedAll && live() && records.length > 0 && end > records[records.length - 1].offset) {
        await control.commit(batch.topic, batch.partition, end + 1);
      }
    } finally {
      clearInterval(beat);
    }
    // Handed to kafkajs as the protocol error it knows, so that it rejoins the group at once and
    // the uncommitted records are fetched again from the committed offset.
    if (lost && this.running && isRunning()) throw lost;
  }

  /**
   * Commits `next` for the partition: true when committed; false, after handing the membership
   * error to `onLost`, when the group no longer counts this member. kafkajs wraps that error as
   * non-retriable; thrown from eachBatch as it is, it would stop the consumer for good.
   */
  private async commit(topic: string, partition: number, next: number, onLost: (e: Error) => void): Promise<boolean> {
    try {
      const key = `${topic}-${partition}`;
      this.committed.set(key, Math.max(next, this.committed.get(key) ?? -1));
      await this.consumer!.commitOffsets([{ topic, partition, offset: String(next) }]);
      return true;
    } catch (e) {
      if (!membershipLost(e)) throw e;
      this.deps.logger.warn('offset not committed: the group no longer counts this consumer; the records are delivered again', {
        mapping: this.id, topic, partition, offset: next, error: errorField(e),
      });
      onLost(membershipError(e));
      return false;
    }
  }

  private async processChunk(chunk: EmulatedRecord[], control: BatchControl): Promise<boolean> {
    const m = this.mapping;
    let selected = chunk;
    if (m.startingPosition === 'AT_TIMESTAMP' && m.startingPositionTimestamp !== undefined) {
      selected = selected.filter((r) => r.timestamp >= m.startingPositionTimestamp! * 1000);
    }
    if (m.filters.length > 0) selected = selected.filter((r) => matchesAny(m.filters, filterView(r, parsedValue(r))));
    if (selected.length === 0) return true; // filtered out: committed without an invocation
    return this.deliver(selected, 0, control);
  }

  /** Delivers `records` until success or until they went to the destination; false when stopping. */
  private async deliver(records: EmulatedRecord[], retries: number, control: BatchControl): Promise<boolean> {
    const { live } = control;
    let batch = records;
    let used = retries;
    let attempts = 0;
    for (;;) {
      if (!live()) return false;
      const maxAge = this.mapping.maximumRecordAgeInSeconds;
      if (maxAge >= 0 && Date.now() - batch[0].timestamp > maxAge * 1000) {
        await this.toDestination(batch, attempts, 'RecordAgeExceeded', undefined);
        return true;
      }
      attempts++;
      let res: InvokeResult;
      try {
        res = await this.invoke(batch, used + 1);
      } catch (e) {
        // The host refuses invocations once stopped: the emulator is stopping, nothing to commit.
        if (!live()) return false;
        throw e;
      }
      if (!live()) return false;
      if (res.outcome === 'succeeded') {
        const failedIndex = this.lowestFailure(batch, res.result);
        if (failedIndex === undefined) return true;
        if (failedIndex > 0) {
          const first = batch[failedIndex];
          if (!(await control.commit(first.topic, first.partition, first.offset))) return false;
          batch = batch.slice(failedIndex);
        }
      } else if (this.mapping.bisectBatchOnFunctionError && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        if (!(await this.deliver(batch.slice(0, half), used, control))) return false;
        const next = batch[half];
        if (!(await control.commit(next.topic, next.partition, next.offset))) return false;
        return this.deliver(batch.slice(half), used, control);
      }
      used++;
      if (used > this.maxRetries) {
        await this.toDestination(batch, attempts, undefined, res);
        return true;
      }
      const delay = backoff(used, { baseMs: this.deps.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS, capMs: MAX_RETRY_BACKOFF_MS });
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /**
   * Index of the record at the lowest failed offset, or undefined when the batch succeeded.
   * An identifier that names no record of the batch fails the whole batch, as on Lambda.
   */
  private lowestFailure(batch: EmulatedRecord[], result: unknown): number | undefined {
    if (!this.mapping.reportBatchItemFailures || result === null || typeof result !== 'object') return undefined;
    const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return undefined;
    let lowest = Infinity;
    for (const f of failures) {
      let index = -1;
      try {
        const id = parseItemIdentifier((f as { itemIdentifier?: unknown })?.itemIdentifier);
        index = batch.findIndex((r) => r.offset === id.offset && r.partition === id.partition && (id.topic === undefined || id.topic === r.topic));
      } catch {
        index = -1;
      }
      if (index < 0) return 0;
      lowest = Math.min(lowest, index);
    }
    return lowest;
  }

  private async invoke(batch: EmulatedRecord[], attempt: number): Promise<InvokeResult> {
    const event = buildKafkaEvent(this.source, batch);
    const res = await this.deps.host.invoke(event);
    const partial = res.outcome === 'succeeded' && this.lowestFailure(batch, res.result) !== undefined;
    const first = batch[0];
    const last = batch[batch.length - 1];
    this.deps.onInvocation({
      functionName: this.deps.host.model.name,
      logicalId: this.deps.host.model.logicalId,
      mapping: this.id,
      trigger: 'mapping',
      eventIds: eventIds(batch),
      recordCount: batch.length,
      records: `${first.topic}-${first.partition}@${first.offset}..${last.offset}`,
      start: new Date(res.start).toISOString(),
      end: new Date(res.end).toISOString(),
      durationMs: res.end - res.start,
      coldStart: res.coldStart,
      outcome: partial ? 'partial' : res.outcome,
      error: res.error ? `${res.error.errorType}: ${res.error.errorMessage}` : undefined,
      attempt,
      requestId: res.requestId,
      stack: res.error?.stack,
    });
    return res;
  }

  private async toDestination(batch: EmulatedRecord[], attempts: number, condition: string | undefined, last: InvokeResult | undefined): Promise<void> {
    const dest = this.mapping.onFailure;
    const range = `${batch[0].topic}-${batch[0].partition}@${batch[0].offset}..${batch[batch.length - 1].offset}`;
    const ctx = (cond: string): FailureContext => ({
      requestId: last?.requestId ?? randomUUID(),
      functionArn: this.deps.host.model.arn,
      condition: condition ?? cond,
      approximateInvokeCount: attempts,
      functionError: last?.outcome === 'succeeded' ? undefined : 'Unhandled',
      batchSize: batch.length,
    });
    const delivery = { mapping: this.id, functionName: this.deps.host.model.name, records: range, recordCount: batch.length, attempts };
    if (dest?.kind === 'kafka') {
      await this.deps.producer.send({
        topic: dest.topic,
        messages: batch.map((r) => ({ key: r.key, value: JSON.stringify(kafkaDestinationRecord(this.source, ctx('RetriesExhausted'), r)) })),
      });
      this.deps.logger.warn('records sent to the dead-letter topic', { mapping: this.id, records: range, attempts, destination: `kafka://${dest.topic}` });
      this.deps.onDestination?.({ ...delivery, destination: `kafka://${dest.topic}`, delivered: true });
    } else if (dest?.kind === 'sqs') {
      this.deps.queues.send(dest.queue, queueDestinationRecord(this.source, ctx('RetryAttemptsExhausted'), batch));
      this.deps.logger.warn('records sent to the local queue', { mapping: this.id, records: range, attempts, destination: `sqs:${dest.queue}` });
      this.deps.onDestination?.({ ...delivery, destination: `sqs:${dest.queue}`, delivered: true });
    } else {
      this.deps.logger.error(dest ? 'records discarded: their destination is not emulated' : 'records discarded: the mapping has no destination', {
        mapping: this.id, records: range, attempts, destination: dest?.arn,
      });
      this.deps.onDestination?.({ ...delivery, destination: dest?.arn, delivered: false });
    }
  }
}
