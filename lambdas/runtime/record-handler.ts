import { backoff } from './backoff';
import type { Context } from 'aws-lambda';
import { itemIdentifier, type KafkaBatchResponse } from './batch-response';
import { decodeEvent, type CloudEvent } from './cloudevents';
import { decodeKafkaRecord, rawRecordGroups, type KafkaRecord, type LambdaKafkaEvent } from './kafka-event';
import { ConsumerEnv } from './consumer-env';
import { integerSetting } from './env';
import { logger } from './logger';
import { deadLetterDestination, sendDeadLetter } from './dead-letter';
import { emitDeadLettered } from './metrics';
import { PowertoolsEnv } from './powertools-env';

/** What the per-event function of `kafkaRecordHandler` gets besides the event. */
export interface RecordContext {
  /** The Kafka record the event was decoded from (topic, partition, offset, key, headers). */
  record: KafkaRecord;
  /** 1 for the first call of this invocation, up to maxAttempts. */
  attempt: number;
  /** The Lambda invocation's context (remaining time, request id); absent when the handler is called without one, as in tests. */
  lambdaContext?: Context;
}

/** How `kafkaRecordHandler` retries, dead-letters and reports records; every field has a default. */
export interface RecordHandlerOptions {
  /** Calls per record in one invocation before it is dead-lettered. @default env MAX_ATTEMPTS, else 3 */
  maxAttempts?: number;
  /** Base of the exponential backoff between attempts, in ms. @default 100 */
  backoffMs?: number;
  /** Cap of one backoff, in ms. @default 5000 */
  maxBackoffMs?: number;
  /** Topic that receives records that exhausted their attempts or are not CloudEvents. @default env DEAD_LETTER_TOPIC, else the queue of env DEAD_LETTER_QUEUE_URL */
  deadLetterTopic?: string;
  /** No new record is started with less than this much time left; the rest are reported failed. @default 3000 */
  reserveMs?: number;
  /**
   * Errors that say a dependency (broker, DynamoDB) is unreachable rather than that the record is
   * bad. They do not use up attempts and never dead-letter the record: it is retried with backoff
   * while the invocation has time (at most `maxTransientMs`), then reported for the mapping to
   * redeliver. Dead-lettering them would drop good records during an outage.
   * @default isTransientError
   */
  isTransient?: (error: unknown) => boolean;
  /** Longest an invocation keeps retrying one record through transient errors, in ms. @default 60000 */
  maxTransientMs?: number;
  /**
   * Whether the mapping honours partial batch responses (`ReportBatchItemFailures`). When it does,
   * records that could not be finished are returned as `batchItemFailures`; when it does not
   * (on-demand pollers), Lambda would ignore them and commit the batch, so the handler throws
   * BatchNotCompletedError instead and Lambda delivers the batch again.
   * @default env REPORT_BATCH_ITEM_FAILURES === 'true' (set by KafkaConsumer); unset means it does not
   * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
   */
  reportBatchItemFailures?: boolean;
  /**
   * Records of one partition in flight at once. Records with the same key always run one after
   * the other, in offset order (Kafka's ordering promise is per key); 1 runs the partition
   * strictly in offset order.
   * @default env RECORD_CONCURRENCY, else 1
   */
  concurrency?: number;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TRANSIENT_NAMES = /^(TimeoutError|ThrottlingException|ProvisionedThroughputExceededException|RequestLimitExceeded|InternalServerError|ServiceUnavailable|KafkaJSConnectionError|KafkaJSConnectionClosedError|KafkaJSRequestTimeoutError|KafkaJSBrokerNotFound|KafkaJSNumberOfRetriesExceeded|KafkaJSLockTimeout|IdempotencyAlreadyInProgressError)$/;

/**
 * True when `error` (or an error in its `cause` chain) means a dependency is unreachable or
 * overloaded — a socket error, an AWS SDK throttling / 5xx / timeout, a retriable kafkajs error —
 * or that the same event is still in progress elsewhere (an idempotency record of a run that may
 * have died with its process: it expires with that invocation's time, so waiting is the fix).
 */
export function isTransientError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const err = e as { code?: unknown; name?: unknown; retriable?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
    if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) return true;
    if (typeof err.name === 'string' && TRANSIENT_NAMES.test(err.name)) return true;
    if (err.retriable === true || err.$retryable) return true;
    if ((err.$metadata?.httpStatusCode ?? 0) >= 500) return true;
    // Two writers on one item at once (concurrent records, or a transaction in flight): try again.
    if (err.name === 'TransactionConflictException') return true;
    const reasons = (e as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    if (err.name === 'TransactionCanceledException' && reasons?.some((r) => r.Code === 'TransactionConflict')) return true;
    if (e instanceof Error && /\b(ECONNREFUSED|ECONNRESET|socket hang up)\b/.test(e.message)) return true;
  }
  return false;
}

/**
 * A Lambda handler for a Kafka event source mapping, as `kafkaRecordHandler` returns it: resolves
 * to a partial batch response, or rejects: BatchNotCompletedError when records are left and the
 * mapping does not report item failures, MalformedKafkaEventError when the event is not shaped as Lambda documents.
 */
export type KafkaRecordHandler = (event: LambdaKafkaEvent, context?: Context) => Promise<KafkaBatchResponse>;

/**
 * Thrown when records of the batch are neither done nor dead-lettered and the mapping does not
 * report item failures: failing the invocation is the only way to have Lambda deliver them again.
 */
export class BatchNotCompletedError extends Error {
  /** `<topic>-<partition>@<offset>` of the first unfinished record of each partition. */
  readonly unfinished: string[];

  constructor(unfinished: string[], count: number) {
    super(`${count} record(s) of the batch were neither processed nor dead-lettered (from ${unfinished.join(', ')}); failing the invocation so that Lambda delivers the batch again`);
    this.name = 'BatchNotCompletedError';
    this.unfinished = unfinished;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A record as Lambda sent it but with bytes we could not decode: forwarded as the raw text. */
function undecodableRecord(raw: unknown): KafkaRecord {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? Buffer.from(v) : null);
  return {
    topic: typeof r.topic === 'string' ? r.topic : 'unknown',
    partition: Number(r.partition) || 0,
    offset: Number(r.offset) || 0,
    timestamp: Number(r.timestamp) || 0,
    timestampType: 'CREATE_TIME',
    key: text(r.key),
    value: text(r.value),
    headers: [],
  };
}

/**
 * Wraps a per-event function into a Kafka event source mapping handler. Records of one partition run in order (per key, when `concurrency` > 1); partitions
 * run concurrently. A record whose
 * value is not a CloudEvent is dead-lettered at once; a record whose function keeps failing is
 * dead-lettered after maxAttempts. Only when the dead-letter topic cannot take it (or time runs
 * out) is the record, with the later records of its partition, reported for the mapping to retry:
 * as `batchItemFailures` where the mapping honours them, else by failing the invocation.
 */
export function kafkaRecordHandler<T>(
  fn: (event: CloudEvent<T>, ctx: RecordContext) => Promise<void>,
  options: RecordHandlerOptions = {},
): KafkaRecordHandler {
  const maxAttempts = integerSetting(options.maxAttempts, process.env, ConsumerEnv.MAX_ATTEMPTS, 'maxAttempts', 3, 1);
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const reserveMs = options.reserveMs ?? 3000;
  const isTransient = options.isTransient ?? isTransientError;
  const maxTransientMs = options.maxTransientMs ?? 60_000;
  const concurrency = integerSetting(options.concurrency, process.env, ConsumerEnv.RECORD_CONCURRENCY, 'concurrency', 1, 1);
  const reportsItemFailures = options.reportBatchItemFailures ?? process.env[ConsumerEnv.REPORT_BATCH_ITEM_FAILURES] === 'true';

  return async (event, lambdaContext) => {
    const destination = deadLetterDestination(process.env, options.deadLetterTopic);
    const service = process.env[PowertoolsEnv.POWERTOOLS_SERVICE_NAME] ?? 'unknown';
    const remaining = () => lambdaContext?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;

    const deadLetter = async (record: KafkaRecord, error: unknown, attempts: number): Promise<boolean> => {
      if (!destination) {
        logger.error('no dead-letter destination configured (DEAD_LETTER_TOPIC or DEAD_LETTER_QUEUE_URL); the record is not done', { ...where(record) });
        return false;
      }
      try {
        await sendDeadLetter(destination, record, error, attempts);
        emitDeadLettered(service, 1);
        logger.warn('record dead-lettered', { ...where(record), destination, attempts, error: describe(error) });
        return true;
      } catch (sendError) {
        logger.error('could not write the dead letter; the record is not done', { ...where(record), destination, error: describe(sendError) });
        return false;
      }
    };

    /** true when the record is done (processed or dead-lettered), false when it must be retried by the mapping. */
    const processRecord = async (record: KafkaRecord, decodeError?: Error): Promise<boolean> => {
      let cloudEvent: CloudEvent<T>;
      try {
        if (decodeError) throw decodeError;
        cloudEvent = decodeEvent<T>(record.value);
      } catch (err) {
        // Retrying cannot make a malformed value valid.
        logger.error('record is not a valid CloudEvent', { ...where(record), reason: describe(err) });
        return deadLetter(record, err, 0);
      }
      let lastError: unknown;
      const transientSince = Date.now();
      let outage = 0;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        try {
          await fn(cloudEvent, { record, attempt, lambdaContext });
          return true;
        } catch (err) {
          lastError = err;
          if (isTransient(err)) {
            // The record is fine, a dependency is not: wait for it without using up attempts.
            const delay = backoff(++outage, { baseMs: backoffMs, capMs: maxBackoffMs });
            logger.warn('dependency unavailable; retrying the record', { ...where(record), eventId: cloudEvent.id, type: cloudEvent.type, retry: outage, error: describe(err) });
            if (remaining() - delay < reserveMs || Date.now() - transientSince + delay > maxTransientMs) {
              logger.warn('dependency still unavailable; reporting the record for the mapping to redeliver', { ...where(record), retries: outage });
              return false;
            }
            await sleep(delay);
            attempt--;
            continue;
          }
          logger.warn('record handler failed', { ...where(record), eventId: cloudEvent.id, type: cloudEvent.type, attempt, maxAttempts, error: describe(err) });
          if (attempt < maxAttempts) {
            const delay = backoff(attempt, { baseMs: backoffMs, capMs: maxBackoffMs });
            if (remaining() - delay < reserveMs) {
              logger.warn('not enough time left to retry; reporting the record as failed', { ...where(record), attempt });
              return false;
            }
            await sleep(delay);
          }
        }
      }
      return deadLetter(record, lastError, maxAttempts);
    };

    /** Runs one record of the list; true when it is done (processed or dead-lettered). */
    const runRecord = async (group: string, list: unknown[], i: number): Promise<boolean> => {
      let record: KafkaRecord;
      let decodeError: Error | undefined;
      try {
        record = decodeKafkaRecord(list[i], `records[${JSON.stringify(group)}][${i}]`);
      } catch (err) {
        record = undecodableRecord(list[i]);
        decodeError = err as Error;
      }
      return remaining() >= reserveMs && processRecord(record, decodeError);
    };

    /**
     * Index of the first record of the partition that is not done (the mapping resumes there, in
     * order), or undefined. Records start in offset order, at most `concurrency` at once, each
     * after the previous record of its key.
     */
    const runPartition = async (group: string, list: unknown[]): Promise<number | undefined> => {
      let failedAt = Infinity;
      const lastOfKey = new Map<string, Promise<void>>();
      const inFlight = new Set<Promise<void>>();
      for (let i = 0; i < list.length && i < failedAt; i++) {
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
        if (i > failedAt) break;
        const key = laneOf(list[i]);
        const run = (lastOfKey.get(key) ?? Promise.resolve())
          .then(async () => {
            // An earlier record failed: this one is delivered again after it anyway.
            if (i > failedAt || !(await runRecord(group, list, i))) failedAt = Math.min(failedAt, i);
          })
          .catch((err: unknown) => {
            logger.error('record failed unexpectedly; reporting it for the mapping to redeliver', { group, index: i, error: describe(err) });
            failedAt = Math.min(failedAt, i);
          });
        lastOfKey.set(key, run);
        const tracked: Promise<void> = run.finally(() => inFlight.delete(tracked));
        inFlight.add(tracked);
      }
      await Promise.all(inFlight);
      return failedAt === Infinity ? undefined : failedAt;
    };

    const groups = rawRecordGroups(event);
    const failures = await Promise.all(
      groups.map(async ([group, list]) => {
        const failedAt = await runPartition(group, list);
        // This record and every later one of the partition: the mapping resumes from here, in order.
        return failedAt === undefined ? [] : list.slice(failedAt).map((raw) => {
          const r = raw as { topic?: unknown; partition?: unknown; offset?: unknown };
          return { itemIdentifier: itemIdentifier({ topic: String(r.topic), partition: Number(r.partition), offset: Number(r.offset) }) };
        });
      }),
    );
    const batchItemFailures = failures.flat();
    if (batchItemFailures.length === 0) return { batchItemFailures };
    if (!reportsItemFailures) {
      const unfinished = failures.filter((f) => f.length > 0).map((f) => `${f[0].itemIdentifier.partition}@${f[0].itemIdentifier.offset}`);
      logger.error('records not finished and the mapping does not report item failures; failing the invocation', { count: batchItemFailures.length, unfinished });
      throw new BatchNotCompletedError(unfinished, batchItemFailures.length);
    }
    logger.warn('reporting batch item failures', { count: batchItemFailures.length });
    return { batchItemFailures };
  };
}

/** Records with the same key share a lane (run in order); keyless records share one lane too. */
function laneOf(raw: unknown): string {
  const key = (raw as { key?: unknown } | null)?.key;
  return typeof key === 'string' ? `k:${key}` : '-';
}

function where(record: KafkaRecord) {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

