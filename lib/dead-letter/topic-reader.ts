import { randomUUID } from 'crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

/** One record of a topic as read: its partition and the message. */
export interface ReadRecord {
  readonly partition: number;
  readonly message: KafkaMessage;
}

export interface ReadTopicOptions {
  /** First offset to read per partition; partitions not named start at their low watermark. @default every partition from its start */
  readonly from?: ReadonlyMap<number, number>;
  /** Prefix of the throwaway consumer group the read uses (it commits nothing). @default 'msk-pipelines-read' */
  readonly groupPrefix?: string;
  /** Give up after this long. @default 30000 */
  readonly timeoutMs?: number;
}

/** Low and high watermark of each partition of `topic`. */
export async function watermarks(admin: Admin, topic: string): Promise<Map<number, { low: number; high: number }>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
}

/**
 * Reads `topic` from `from` (per partition) up to its end as it was when the read began, in
 * offset order per partition, with the isolation of kafkajs's consumers (read committed: records
 * of aborted transactions are skipped). That end is the last stable offset: records of a
 * transaction whose commit markers are not written yet (a commit returns just before) come in a
 * later read. The consumer group is a throwaway one that never commits,
 * so a read leaves no trace and never moves anyone's position.
 */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string, options: ReadTopicOptions = {}): Promise<ReadRecord[]> {
  const marks = await watermarks(admin, topic);
  const pending = new Map<number, { start: number; end: number }>();
  for (const [partition, { low, high }] of marks) {
    const start = Math.max(low, options.from?.get(partition) ?? low);
    if (start < high) pending.set(partition, { start, end: high });
  }
  if (pending.size === 0) return [];
  const records: ReadRecord[] = [];
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `${options.groupPrefix ?? 'msk-pipelines-read'}-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const done = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`reading ${topic}: not at its end after ${timeoutMs} ms (${pending.size} partition(s) left; an open transaction holds read-committed readers back until it ends)`)), timeoutMs);
      // The end of a partition may hold only transaction markers or aborted records, which never
      // reach eachBatch: kafkajs reports how far each fetched batch went in END_BATCH_PROCESS.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const range = pending.get(payload.partition);
        if (!range || Number(payload.lastOffset) < range.end - 1) return;
        pending.delete(payload.partition);
        if (pending.size === 0) resolve();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
    });
    done.catch(() => undefined);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = pending.get(batch.partition);
        if (!range) return;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          // A fetch made before the seek took effect may deliver a record twice.
          const key = `${batch.partition}@${offset}`;
          if (offset >= range.start && offset < range.end && !seen.has(key)) {
            seen.add(key);
            records.push({ partition: batch.partition, message });
          }
        }
      },
    });
    for (const [partition, { start }] of pending) consumer.seek({ topic, partition, offset: String(start) });
    await done;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return records.sort((a, b) => a.partition - b.partition || Number(a.message.offset) - Number(b.message.offset));
}
