import { CompressionTypes, Partitioners, type IHeaders, type Producer } from 'kafkajs';
import type { CloudEvent } from './cloudevents';
import { eventMessage, type EventMessageOptions } from './event-message';
import { getKafka } from './kafka-client';

let producer: Promise<Producer> | undefined;

/**
 * The container's producer, connected on first use and reused across invocations (a connect
 * costs a metadata round trip and, on MSK, an IAM handshake per broker).
 */
export function getProducer(): Promise<Producer> {
  if (!producer) {
    const created = (async () => {
      const kafka = await getKafka();
      const p = kafka.producer({
        // Idempotent: a retried send after a lost ack does not write the record twice.
        idempotent: true,
        maxInFlightRequests: 1,
        // Bounded, so a failed publish fails the caller within the function's timeout.
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      p.on(p.events.DISCONNECT, () => {
        if (producer === created) producer = undefined;
      });
      await p.connect();
      return p;
    })();
    created.catch(() => {
      if (producer === created) producer = undefined;
    });
    producer = created;
  }
  return producer;
}

/** How `publish` writes its events: key and extra headers (see `eventMessage`). */
export type PublishOptions = EventMessageOptions;

/**
 * Publishes events to a topic in one send (acks from all in-sync replicas). Errors reach the
 * caller: a publish that fails must fail the function.
 */
export async function publish(topic: string, events: CloudEvent | CloudEvent[], options: PublishOptions = {}): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return;
  const p = await getProducer();
  await p.send({ topic, acks: -1, compression: CompressionTypes.None, messages: list.map((e) => eventMessage(e, options)) });
}

/** Sends raw messages (used to forward records to a dead-letter topic unchanged). */
export async function sendRaw(topic: string, messages: Array<{ key: Buffer | string | null; value: Buffer | string | null; headers?: IHeaders }>): Promise<void> {
  const p = await getProducer();
  await p.send({ topic, acks: -1, messages });
}

/**
 * Disconnects the container's producer, if one was created; the next `publish` connects a new one.
 * For scripts and tests that must exit: a Lambda function never needs it (the producer is reused
 * across invocations).
 */
export async function closeProducer(): Promise<void> {
  const current = producer;
  producer = undefined;
  if (current) await (await current.catch(() => undefined))?.disconnect();
}
