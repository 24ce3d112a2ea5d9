import { Kafka, logLevel } from 'kafkajs';
import { decodeEvent, type CloudEvent } from '../../lambdas/runtime/cloudevents';
import { LocalServices } from '../../lib/local/services';

/**
 * Helpers for the fault suites (`*.faults.test.ts`). Each suite kills and restarts its services,
 * so it starts a Kafka broker and DynamoDB Local of its own — never the shared development ones —
 * and stops them in afterAll.
 */

/**
 * Starts fresh JVMs (the environment is ignored, so `KAFKA_BROKERS` / `DYNAMODB_ENDPOINT` can
 * never point a fault suite at shared services) and publishes their endpoints into this test
 * file's `process.env` (jest gives each file its own copy), so the `test/support` helpers and
 * harnesses talk to them.
 */
export async function startOwnServices(options: { dynamodbInMemory?: boolean } = {}): Promise<LocalServices> {
  const services = await LocalServices.start({
    env: {},
    handleSignals: false,
    log: () => undefined,
    dynamodbOptions: options.dynamodbInMemory ? { inMemory: true } : undefined,
  });
  // Everything that names services points at these: the global setup's IAM listener belongs to
  // another broker (functions on it would publish where this suite does not read).
  delete process.env.KAFKA_IAM_BROKERS;
  delete process.env.KAFKA_IAM_CA_FILE;
  Object.assign(process.env, services.env);
  return services;
}

/** One record read back from a topic. */
export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key?: string;
  readonly value?: Buffer;
  readonly headers: Record<string, string>;
  /** The CloudEvent in the value, when it is one. */
  readonly event?: CloudEvent;
}

/**
 * Reads every record of `topic` from the beginning up to the current end of each partition, with
 * a fresh consumer group. Read after the fact, so a reader's own redelivery across a broker crash
 * can never be mistaken for a duplicate effect.
 */
export async function readTopic(brokers: string, topic: string, timeoutMs = 60_000): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: 'faults-reader', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const records: TopicRecord[] = [];
  if (total === 0) return records;
  const consumer = kafka.consumer({ groupId: `faults-reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, maxBytes: 64 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`readTopic(${topic}): ${seen.size} of ${total} records within ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const id = `${partition}@${message.offset}`;
        if (Number(message.offset) >= (ends.get(partition) ?? 0) || seen.has(id)) return;
        seen.add(id);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(value);
        let event: CloudEvent | undefined;
        try {
          event = message.value ? decodeEvent(message.value) : undefined;
        } catch {
          event = undefined;
        }
        records.push({ partition, offset: message.offset, key: message.key?.toString(), value: message.value ?? undefined, headers, event });
        if (seen.size >= total) {
          clearTimeout(timer);
          resolve();
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  return records;
}

/** Counts items by a key. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
