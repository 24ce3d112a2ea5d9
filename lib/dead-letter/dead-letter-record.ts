import type { IHeaders, KafkaMessage } from 'kafkajs';

/**
 * Reads a record of a dead-letter topic, whichever wrote it. Two writers put records there:
 *
 * - the function runtime (`lambdas/runtime/record-handler.ts`), after its bounded in-handler
 *   attempts: the original key, value and headers, plus `x-error-message`, `x-error-type`,
 *   `x-attempts`, `x-source-topic`, `x-source-partition` and `x-source-offset`;
 * - Lambda's own on-failure destination (`kafka://<topic>`), after the mapping's retries: a JSON
 *   document with `requestContext` (condition, approximateInvokeCount), `responseContext`
 *   (functionError) and the failed record as a one-record Kafka event under `payload`
 *   (what `lib/local/emulator/failure-record.ts` writes locally).
 *
 * Nothing here talks to Kafka, so the command line, the console and tests share it.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html
 */

/** Headers the runtime adds when it dead-letters a record; a redrive removes them again. */
export const FAILURE_HEADERS = ['x-error-message', 'x-error-type', 'x-attempts', 'x-source-topic', 'x-source-partition', 'x-source-offset'] as const;

/** How many times a record was redriven: set by `redrive`, one more each time. */
export const REDRIVE_COUNT_HEADER = 'x-redrive-count';

/** A record of a dead-letter topic, with the record it stands for and why it failed. */
export interface DeadLetterRecord {
  /** Where the dead letter itself sits. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch at which it was dead-lettered. */
  readonly timestamp: number;
  /** `runtime`: written by the function runtime; `lambda`: by Lambda's on-failure destination. */
  readonly writer: 'runtime' | 'lambda';
  /** The record that failed: its topic, partition and offset when the dead letter names them. */
  readonly source: { readonly topic?: string; readonly partition?: number; readonly offset?: number };
  /** The failed record's key, value and headers, as it was produced (failure headers removed). */
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: ReadonlyArray<readonly [string, Buffer]>;
  /** Why it failed: the error for the runtime's, the condition and function error for Lambda's. */
  readonly reason: string;
  /** Attempts made before it was dead-lettered, when known (0: refused at once as malformed). */
  readonly attempts?: number;
  /** Times the failed record had already been redriven before it failed this time. */
  readonly redriveCount: number;
}

/** A dead letter whose bytes fit neither shape; listed, never redriven. */
export class UnreadableDeadLetterError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnreadableDeadLetterError';
  }
}

type Header = [string, Buffer];

function headerList(headers: IHeaders | undefined): Header[] {
  const out: Header[] = [];
  for (const [name, v] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined) out.push([name, Buffer.isBuffer(one) ? one : Buffer.from(String(one))]);
    }
  }
  return out;
}

const text = (headers: Header[], name: string): string | undefined => headers.find(([n]) => n === name)?.[1].toString('utf8');

function integer(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** The dead letter at `topic`/`partition`, as kafkajs delivered it. */
export function readDeadLetter(topic: string, partition: number, message: KafkaMessage): DeadLetterRecord {
  const headers = headerList(message.headers);
  const at = { topic, partition, offset: Number(message.offset), timestamp: Number(message.timestamp) };
  if (text(headers, 'x-source-topic') !== undefined) return fromRuntime(at, message, headers);
  const lambda = lambdaFailure(message.value);
  if (lambda) return fromLambda(at, message, lambda);
  throw new UnreadableDeadLetterError(`${topic}-${partition}@${at.offset} is neither a runtime dead letter (no x-source-topic header) nor a Lambda on-failure record (no payload.records)`);
}

function fromRuntime(at: Pick<DeadLetterRecord, 'topic' | 'partition' | 'offset' | 'timestamp'>, message: KafkaMessage, headers: Header[]): DeadLetterRecord {
  const type = text(headers, 'x-error-type');
  const error = text(headers, 'x-error-message');
  const original = headers.filter(([name]) => !(FAILURE_HEADERS as readonly string[]).includes(name));
  return {
    ...at,
    writer: 'runtime',
    source: { topic: text(headers, 'x-source-topic'), partition: integer(text(headers, 'x-source-partition')), offset: integer(text(headers, 'x-source-offset')) },
    key: message.key,
    value: message.value,
    headers: original,
    reason: type && error ? `${type}: ${error}` : error ?? type ?? 'unknown',
    attempts: integer(text(headers, 'x-attempts')),
    redriveCount: integer(text(original, REDRIVE_COUNT_HEADER)) ?? 0,
  };
}

interface LambdaFailure {
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  responseContext?: { functionError?: string };
  payload?: { records?: Record<string, Array<{ topic?: string; partition?: number; offset?: number; key?: string; value?: string; headers?: Array<Record<string, number[]>> }>> };
}

function lambdaFailure(value: Buffer | null): LambdaFailure | undefined {
  if (value === null) return undefined;
  try {
    const doc = JSON.parse(value.toString('utf8')) as LambdaFailure;
    return doc && typeof doc === 'object' && doc.payload && typeof doc.payload.records === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

function fromLambda(at: Pick<DeadLetterRecord, 'topic' | 'partition' | 'offset' | 'timestamp'>, message: KafkaMessage, doc: LambdaFailure): DeadLetterRecord {
  const records = Object.values(doc.payload!.records!).flat();
  if (records.length !== 1) {
    throw new UnreadableDeadLetterError(`${at.topic}-${at.partition}@${at.offset}: a Lambda on-failure record carries one record, this one ${records.length}`);
  }
  const r = records[0];
  const headers: Header[] = (r.headers ?? []).flatMap((h) => Object.entries(h).map(([name, bytes]): Header => [name, Buffer.from(bytes)]));
  const condition = doc.requestContext?.condition;
  const functionError = doc.responseContext?.functionError;
  return {
    ...at,
    writer: 'lambda',
    source: { topic: r.topic, partition: r.partition, offset: r.offset },
    // Lambda keeps the original key on the dead letter too; the payload's copy is the reference.
    key: r.key !== undefined ? Buffer.from(r.key, 'base64') : message.key,
    value: r.value !== undefined ? Buffer.from(r.value, 'base64') : null,
    headers,
    reason: [condition, functionError && `function error ${functionError}`].filter(Boolean).join(', ') || 'unknown',
    attempts: doc.requestContext?.approximateInvokeCount,
    redriveCount: integer(text(headers, REDRIVE_COUNT_HEADER)) ?? 0,
  };
}

/** The headers a redriven record carries: the original ones, with the redrive count one higher. */
export function redriveHeaders(record: DeadLetterRecord): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of record.headers) {
    if (name === REDRIVE_COUNT_HEADER) continue;
    const existing = headers[name];
    headers[name] = existing === undefined ? value : ([] as Array<Buffer | string>).concat(existing, value);
  }
  headers[REDRIVE_COUNT_HEADER] = String(record.redriveCount + 1);
  return headers;
}

/** The value as text for people: CloudEvent type and id when it is one, else the first characters. */
export function describeValue(value: Buffer | null, max = 200): { type?: string; id?: string; text: string } {
  if (value === null) return { text: '(null)' };
  const raw = value.toString('utf8');
  let type: string | undefined;
  let id: string | undefined;
  try {
    const doc = JSON.parse(raw) as { type?: unknown; id?: unknown };
    if (doc && typeof doc === 'object') {
      if (typeof doc.type === 'string') type = doc.type;
      if (typeof doc.id === 'string') id = doc.id;
    }
  } catch { /* not JSON */ }
  return { type, id, text: raw.length > max ? `${raw.slice(0, max)}…` : raw };
}
