import type { Admin, Kafka, Producer } from 'kafkajs';
import { DeadLetterRecord, readDeadLetter, redriveHeaders, UnreadableDeadLetterError } from './dead-letter-record';
import { readTopic, watermarks } from './topic-reader';
import { rangeViolation } from '../core/range';

/**
 * Redrive: dead letters go back to the topic they failed on, once each, even when a redrive is
 * killed and run again. It is Kafka's consume-transform-produce loop: each dead letter is
 * republished and the redrive's own consumer group is moved past it in ONE transaction
 * (`sendOffsets`), so either both happen or neither does. A rerun first takes over the
 * transactional id, which aborts whatever transaction a killed run left open, then goes on
 * from the group's committed position. Consumers that read committed records only (kafkajs's
 * default, so the emulator's mappings and the runtime) never see an aborted copy.
 *
 * @see https://kafka.apache.org/documentation/#semantics
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html (transactional ids under IAM access control)
 */

/** The redrive's consumer group and transactional id for a dead-letter topic: stable, so a rerun resumes. */
export function redriveGroupId(deadLetterTopic: string): string {
  return `msk-pipelines-redrive.${deadLetterTopic}`;
}

/**
 * How long a killed redrive's open transaction may hold back read-committed readers of the
 * topics it wrote to before the broker aborts it (a rerun aborts it at once).
 */
const TRANSACTION_TIMEOUT_MS = 10_000;

/** Where each dead letter of a topic stands with respect to redrive. */
export interface DeadLetterState {
  readonly record: DeadLetterRecord;
  /** `pending`: not yet redriven; `handled`: behind the redrive position (redriven or passed over). */
  readonly state: 'pending' | 'handled';
}

/** A dead letter the topic holds but that cannot be read as one (listed, never redriven). */
export interface UnreadableDeadLetter {
  readonly partition: number;
  readonly offset: number;
  readonly error: string;
}

/** The dead letters of a topic and where the redrive of that topic stands. */
export interface DeadLetterListing {
  readonly topic: string;
  readonly records: DeadLetterState[];
  readonly unreadable: UnreadableDeadLetter[];
  /** Next offset the redrive will look at, per partition (absent: from the start). */
  readonly position: ReadonlyMap<number, number>;
}

/** The committed redrive position of a dead-letter topic, per partition. */
export async function redrivePosition(admin: Admin, deadLetterTopic: string): Promise<Map<number, number>> {
  const committed = await admin.fetchOffsets({ groupId: redriveGroupId(deadLetterTopic), topics: [deadLetterTopic] });
  const position = new Map<number, number>();
  for (const p of committed[0]?.partitions ?? []) {
    if (Number(p.offset) >= 0) position.set(p.partition, Number(p.offset));
  }
  return position;
}

/** How many dead letters a topic holds and how many of them are pending, from offsets alone (no read). */
export async function countDeadLetters(admin: Admin, deadLetterTopic: string): Promise<{ total: number; pending: number }> {
  const [marks, position] = await Promise.all([watermarks(admin, deadLetterTopic), redrivePosition(admin, deadLetterTopic)]);
  let total = 0;
  let pending = 0;
  // Dead-letter topics are written without transactions, so each offset holds one record.
  for (const [partition, { low, high }] of marks) {
    total += high - low;
    pending += high - Math.max(low, position.get(partition) ?? low);
  }
  return { total, pending };
}

/**
 * The dead letters of `deadLetterTopic`, read and marked pending or handled; with
 * `pendingOnly`, only those from the redrive position on (what a redrive needs).
 */
export async function listDeadLetters(kafka: Kafka, admin: Admin, deadLetterTopic: string, options: { pendingOnly?: boolean } = {}): Promise<DeadLetterListing> {
  const position = await redrivePosition(admin, deadLetterTopic);
  const read = await readTopic(kafka, admin, deadLetterTopic, { groupPrefix: 'msk-pipelines-dlq-read', from: options.pendingOnly ? position : undefined });
  const records: DeadLetterState[] = [];
  const unreadable: UnreadableDeadLetter[] = [];
  for (const { partition, message } of read) {
    try {
      const record = readDeadLetter(deadLetterTopic, partition, message);
      records.push({ record, state: record.offset < (position.get(partition) ?? 0) ? 'handled' : 'pending' });
    } catch (e) {
      if (!(e instanceof UnreadableDeadLetterError)) throw e;
      unreadable.push({ partition, offset: Number(message.offset), error: e.message });
    }
  }
  return { topic: deadLetterTopic, records, unreadable, position };
}

export interface RedriveOptions {
  /** Client of the cluster that holds the dead-letter topic and the source topics. */
  readonly kafka: Kafka;
  /** A connected admin client of that cluster (reads the redrive group's position). */
  readonly admin: Admin;
  /** The dead-letter topic to redrive from. */
  readonly deadLetterTopic: string;
  /**
   * Which pending dead letters to republish. Records are handled in offset order per partition:
   * redriving a record moves the redrive position past it, so unchosen records before it in its
   * partition are passed over (they stay in the topic, marked handled).
   * @default every pending dead letter
   */
  readonly select?: (record: DeadLetterRecord) => boolean;
  /**
   * Topic for dead letters that do not name the topic they failed on.
   * @default - such records are not redriven, and the redrive says so
   */
  readonly sourceTopic?: string;
  /** Called for each dead letter once its transaction committed. @default - none */
  readonly onRedriven?: (record: DeadLetterRecord, to: { topic: string; partition: number; offset: number }) => void;
  /**
   * Dead letters per transaction (of one partition). Larger is faster; an interrupted
   * transaction is redone whole by the rerun, never in part.
   * @default 50
   */
  readonly batchSize?: number;
}

/** Dead letters per transaction unless told otherwise. */
export const DEFAULT_REDRIVE_BATCH = 50;

export interface RedriveResult {
  readonly redriven: number;
  /** Unchosen pending records the position moved past. */
  readonly passedOver: number;
  /** Pending records left for a later redrive (after the last chosen one of their partition). */
  readonly left: number;
  /** Chosen records that cannot be redriven (no source topic, or unreadable), with why. */
  readonly refused: Array<{ partition: number; offset: number; reason: string }>;
}

/** Republishes the chosen pending dead letters of a topic to their source topics, once each. */
export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const { kafka, admin, deadLetterTopic } = options;
  const size = options.batchSize ?? DEFAULT_REDRIVE_BATCH;
  const sizeViolation = rangeViolation('batchSize', size, { min: 1, max: 10_000 });
  if (sizeViolation) throw new RangeError(sizeViolation);
  const groupId = redriveGroupId(deadLetterTopic);
  const producer = kafka.producer({
    transactionalId: groupId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: TRANSACTION_TIMEOUT_MS,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    // Taking over the transactional id fences a killed run and aborts its open transaction, so
    // the position read next is the last committed one and nothing of that run shows.
    await (await producer.transaction()).abort();
    const listing = await listDeadLetters(kafka, admin, deadLetterTopic, { pendingOnly: true });
    return await redriveListing(producer, admin, listing, options);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

async function redriveListing(producer: Producer, admin: Admin, listing: DeadLetterListing, options: RedriveOptions): Promise<RedriveResult> {
  const select = options.select ?? (() => true);
  const refused: RedriveResult['refused'] = listing.unreadable
    .filter((u) => u.offset >= (listing.position.get(u.partition) ?? 0))
    .map((u) => ({ partition: u.partition, offset: u.offset, reason: u.error }));
  const partitionsOf = new Map<string, number>();
  let redriven = 0;
  let passedOver = 0;
  let left = 0;
  const byPartition = new Map<number, DeadLetterRecord[]>();
  for (const { record, state } of listing.records) {
    if (state === 'pending') byPartition.set(record.partition, [...(byPartition.get(record.partition) ?? []), record]);
  }
  for (const [partition, pending] of byPartition) {
    const chosen = pending.filter(select);
    const last = chosen.length > 0 ? chosen[chosen.length - 1].offset : -1;
    left += pending.filter((r) => r.offset > last).length;
    passedOver += pending.filter((r) => r.offset < last && !select(r)).length;
    const sendable: Array<{ record: DeadLetterRecord; topic: string }> = [];
    for (const record of chosen) {
      const topic = record.source.topic ?? options.sourceTopic;
      if (!topic) refused.push({ partition, offset: record.offset, reason: 'the dead letter does not name its source topic (pass a source topic)' });
      else sendable.push({ record, topic });
    }
    for (const { topic } of sendable) {
      if (!partitionsOf.has(topic)) partitionsOf.set(topic, (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.length);
    }
    const size = options.batchSize ?? DEFAULT_REDRIVE_BATCH;
    for (let i = 0; i < sendable.length; i += size) {
      const batch = sendable.slice(i, i + size);
      const last = batch[batch.length - 1].record;
      const txn = await producer.transaction();
      try {
        const sent = [];
        for (const { record, topic } of batch) {
          // The record's own partition keeps its place in the order of its key; the key decides otherwise.
          const target = record.source.partition !== undefined && record.source.partition < partitionsOf.get(topic)! ? record.source.partition : undefined;
          const [meta] = await txn.send({ topic, acks: -1, messages: [{ key: record.key, value: record.value, headers: redriveHeaders(record), partition: target }] });
          sent.push({ record, to: { topic, partition: meta.partition, offset: Number(meta.baseOffset ?? meta.offset ?? -1) } });
        }
        await txn.sendOffsets({ consumerGroupId: redriveGroupId(listing.topic), topics: [{ topic: listing.topic, partitions: [{ partition, offset: String(last.offset + 1) }] }] });
        await txn.commit();
        redriven += batch.length;
        for (const s of sent) options.onRedriven?.(s.record, s.to);
      } catch (e) {
        await txn.abort().catch(() => undefined);
        throw new Error(`redriving ${listing.topic}-${partition}@${batch[0].record.offset}..${last.offset} failed: ${(e as Error).message}`, { cause: e });
      }
    }
  }
  return { redriven, passedOver, left, refused };
}
