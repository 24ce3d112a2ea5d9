import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';

/** One record of a topic: its key and the CloudEvent in its value. */
export interface TopicRecord {
  readonly key: string;
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly source: string;
  readonly data: unknown;
}

/** Every record on `topic` so far (up to the high watermark of each partition), read by a throwaway group. */
export async function readTopic(kafka: Kafka, topic: string): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = offsets.filter((o) => Number(o.high) > 0);
  const out: TopicRecord[] = [];
  if (want.length === 0) return out;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const pending = new Map(want.map((o) => [o.partition, Number(o.high)]));
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const event = JSON.parse(message.value!.toString());
        out.push({ key: message.key!.toString(), id: event.id, type: event.type, subject: event.subject, source: event.source, data: event.data });
        if (Number(message.offset) + 1 >= (pending.get(partition) ?? 0)) pending.delete(partition);
        if (pending.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return out;
}
