import { randomUUID } from 'crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { describeValue } from '../../dead-letter/dead-letter-record';
import { watermarks } from '../../dead-letter/topic-reader';

/** A record as the console shows it: readable, no bytes, header names only. */
export interface RecordView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly time: string;
  readonly key: string | null;
  /** CloudEvent type and id, when the value is one. */
  readonly type?: string;
  readonly id?: string;
  /** CloudEvent extension attributes of task chains. */
  readonly chain?: string;
  readonly runid?: string;
  readonly task?: string;
  readonly value: string;
  readonly headers: string[];
}

export interface TopicWatchOptions {
  /** Records shown from before the watch started, per partition. @default 20 */
  readonly history?: number;
  /** Records kept per topic. @default 50 */
  readonly keep?: number;
  /** Longest value text kept. @default 2000 */
  readonly maxValue?: number;
}

export function recordView(topic: string, partition: number, message: KafkaMessage, maxValue = 2000): RecordView {
  const value = describeValue(message.value, maxValue);
  let ext: { chain?: unknown; runid?: unknown; task?: unknown } = {};
  if (value.type) {
    try { ext = JSON.parse(message.value!.toString('utf8')); } catch { /* described above */ }
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    topic,
    partition,
    offset: Number(message.offset),
    time: new Date(Number(message.timestamp)).toISOString(),
    key: message.key === null ? null : message.key.toString('utf8'),
    type: value.type,
    id: value.id,
    chain: str(ext.chain),
    runid: str(ext.runid),
    task: str(ext.task),
    value: value.text,
    headers: Object.keys(message.headers ?? {}),
  };
}

/**
 * Reads every topic of the graph on a consumer group of its own (never committed, read committed
 * like the mappings) and keeps the latest records of each: the console's topic view, its chain
 * grid's run discovery and its dead-letter counts. It starts a few records back, so a page opened
 * late still shows what came before.
 */
export class TopicWatch {
  private consumer?: Consumer;
  private readonly recent = new Map<string, RecordView[]>();
  private readonly listeners: Array<(record: RecordView) => void> = [];

  constructor(private readonly kafka: Kafka, readonly topics: readonly string[], private readonly options: TopicWatchOptions = {}) {}

  onRecord(listener: (record: RecordView) => void): void {
    this.listeners.push(listener);
  }

  /** The latest records of `topic`, newest last. */
  records(topic: string): RecordView[] {
    return this.recent.get(topic) ?? [];
  }

  async start(): Promise<void> {
    if (this.topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    const starts: Array<{ topic: string; partition: number; offset: number }> = [];
    try {
      for (const topic of this.topics) {
        for (const [partition, { low, high }] of await watermarks(admin, topic)) {
          starts.push({ topic, partition, offset: Math.max(low, high - (this.options.history ?? 20)) });
        }
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: `msk-pipelines-console-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.add(recordView(batch.topic, batch.partition, message, this.options.maxValue));
      },
    });
    for (const s of starts) consumer.seek({ topic: s.topic, partition: s.partition, offset: String(s.offset) });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private add(view: RecordView): void {
    const list = this.recent.get(view.topic) ?? [];
    // A fetch made before the seek took effect may deliver a record twice.
    if (list.some((r) => r.partition === view.partition && r.offset === view.offset)) return;
    list.push(view);
    if (list.length > (this.options.keep ?? 50)) list.shift();
    this.recent.set(view.topic, list);
    for (const l of this.listeners) l(view);
  }
}
