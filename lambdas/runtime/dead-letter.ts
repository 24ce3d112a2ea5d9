// Type only: the SQS client loads when a record first goes to a dead-letter queue, not at every cold start.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { IHeaders } from 'kafkajs';
import { ConsumerEnv } from './consumer-env';
import type { KafkaRecord } from './kafka-event';
import { sendRaw } from './producer';

/** Where a consumer's dead letters go: the Kafka topic or SQS queue its construct named. */
export type DeadLetterDestination = { readonly kind: 'topic'; readonly topic: string } | { readonly kind: 'queue'; readonly queueUrl: string };

type Env = Record<string, string | undefined>;

/** The destination the environment names (DEAD_LETTER_TOPIC wins over DEAD_LETTER_QUEUE_URL), or undefined. */
export function deadLetterDestination(env: Env = process.env, topic?: string): DeadLetterDestination | undefined {
  const name = topic ?? env[ConsumerEnv.DEAD_LETTER_TOPIC];
  if (name) return { kind: 'topic', topic: name };
  const queueUrl = env[ConsumerEnv.DEAD_LETTER_QUEUE_URL];
  return queueUrl ? { kind: 'queue', queueUrl } : undefined;
}

/** Why a record was dead-lettered and where it came from: the same fields for a topic (headers) and a queue (message attributes). */
export function failureDetails(record: KafkaRecord, error: unknown, attempts: number): Record<string, string> {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    'x-error-message': err.message.slice(0, 2000),
    'x-error-type': err.name,
    'x-attempts': String(attempts),
    'x-source-topic': record.topic,
    'x-source-partition': String(record.partition),
    'x-source-offset': String(record.offset),
  };
}

/** The record's own headers (repeated names kept as lists) followed by the failure details. */
export function deadLetterHeaders(record: KafkaRecord, error: unknown, attempts: number): IHeaders {
  const headers: IHeaders = {};
  for (const header of record.headers) {
    for (const [name, value] of Object.entries(header)) {
      const existing = headers[name];
      headers[name] = existing === undefined ? value : ([] as Array<Buffer | string>).concat(existing, value);
    }
  }
  return { ...headers, ...failureDetails(record, error, attempts) };
}

/**
 * The SQS message of a dead letter: the record (key, value and header values Base64-encoded, as
 * Lambda's own Kafka events carry them, since they may be any bytes) with the failure details, which
 * are also message attributes so that a queue consumer can filter without parsing the body.
 */
export function deadLetterMessage(record: KafkaRecord, error: unknown, attempts: number): { body: string; attributes: Record<string, string> } {
  const details = failureDetails(record, error, attempts);
  const b64 = (v: Buffer | string | null) => (v === null ? null : Buffer.from(v).toString('base64'));
  const body = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: b64(record.key),
    value: b64(record.value),
    headers: record.headers.map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, b64(v as Buffer | string)]))),
    failure: details,
  };
  return { body: JSON.stringify(body), attributes: details };
}

let sqs: SQSClient | undefined;

/** Writes one dead letter; errors reach the caller (the record is then not done). */
export async function sendDeadLetter(destination: DeadLetterDestination, record: KafkaRecord, error: unknown, attempts: number): Promise<void> {
  if (destination.kind === 'topic') {
    await sendRaw(destination.topic, [{ key: record.key, value: record.value, headers: deadLetterHeaders(record, error, attempts) }]);
    return;
  }
  const { body, attributes } = deadLetterMessage(record, error, attempts);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SendMessageCommand, SQSClient: Client } = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
  sqs ??= new Client({});
  await sqs.send(new SendMessageCommand({
    QueueUrl: destination.queueUrl,
    MessageBody: body,
    MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
  }));
}
