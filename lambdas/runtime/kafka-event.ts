import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';

/**
 * One Kafka record of a Lambda Kafka event, with key, value and headers decoded to bytes.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
 */
export interface KafkaRecord {
  /** The topic the record was read from. */
  topic: string;
  /** The partition of `topic` it was read from (0-based). */
  partition: number;
  /** The record's offset in its partition: with `topic` and `partition`, what identifies it (e.g. in `batchItemFailures`). */
  offset: number;
  /** The record's Kafka timestamp, in ms since the epoch; what it means depends on `timestampType`. */
  timestamp: number;
  /** `CREATE_TIME` (the producer's clock) or `LOG_APPEND_TIME` (the broker's, when the topic says so). */
  timestampType: string;
  /** The record key (Lambda's base64 decoded), or null when the record has none. */
  key: Buffer | null;
  /** The record value (Lambda's base64 decoded), or null for a tombstone; a CloudEvent in JSON for this project's topics. */
  value: Buffer | null;
  /** The record's headers in order, one `{ name: bytes }` object each, as Lambda lists them; read one with `headerValue`. */
  headers: Array<Record<string, Buffer>>;
}

/** A Lambda Kafka event as it arrives: MSK (`aws:kafka`) or self-managed (`aws:SelfManagedKafka`). */
export type LambdaKafkaEvent = MSKEvent | SelfManagedKafkaEvent;

/** The event (or one of its records) does not have the shape Lambda documents. */
export class MalformedKafkaEventError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedKafkaEventError';
  }
}

// Alphabet and padding only: Lambda's own sample key is not canonical base64 (non-zero pad bits),
// so a round-trip check would reject real events.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(value: unknown, field: string): Buffer | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new MalformedKafkaEventError(`${field} must be a base64 string, got ${typeof value}`);
  if (!BASE64.test(value)) throw new MalformedKafkaEventError(`${field} is not valid base64: ${JSON.stringify(value.slice(0, 40))}`);
  return Buffer.from(value, 'base64');
}

function decodeHeaders(headers: unknown, field: string): Array<Record<string, Buffer>> {
  if (headers === undefined || headers === null) return [];
  if (!Array.isArray(headers)) throw new MalformedKafkaEventError(`${field} must be an array`);
  return headers.map((header, i) => {
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw new MalformedKafkaEventError(`${field}[${i}] must be an object of name to byte array`);
    }
    const decoded: Record<string, Buffer> = {};
    for (const [name, bytes] of Object.entries(header as Record<string, unknown>)) {
      if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= -128 && b <= 255)) {
        throw new MalformedKafkaEventError(`${field}[${i}].${name} must be an array of bytes`);
      }
      // Java-side producers may serialise signed bytes; `& 0xff` maps -1 to 255.
      decoded[name] = Buffer.from((bytes as number[]).map((b) => b & 0xff));
    }
    return decoded;
  });
}

function integer(value: unknown, field: string): number {
  // Some published samples carry the partition as a string ("0"); accept digits only.
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new MalformedKafkaEventError(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Decodes one raw record; `field` names it in errors, e.g. `records["orders-0"][3]`. */
export function decodeKafkaRecord(raw: unknown, field: string): KafkaRecord {
  if (typeof raw !== 'object' || raw === null) throw new MalformedKafkaEventError(`${field} must be an object`);
  const r = raw as Record<string, unknown>;
  if (typeof r.topic !== 'string' || r.topic === '') throw new MalformedKafkaEventError(`${field}.topic must be a non-empty string`);
  return {
    topic: r.topic,
    partition: integer(r.partition, `${field}.partition`),
    offset: integer(r.offset, `${field}.offset`),
    timestamp: integer(r.timestamp, `${field}.timestamp`),
    timestampType: typeof r.timestampType === 'string' ? r.timestampType : 'CREATE_TIME',
    key: decodeBase64(r.key, `${field}.key`),
    value: decodeBase64(r.value, `${field}.value`),
    headers: decodeHeaders(r.headers, `${field}.headers`),
  };
}

/** The raw records of the event grouped as Lambda sends them: one list per "<topic>-<partition>", in offset order. */
export function rawRecordGroups(event: LambdaKafkaEvent): Array<[string, unknown[]]> {
  if (typeof event !== 'object' || event === null) throw new MalformedKafkaEventError('event must be an object');
  const records = (event as { records?: unknown }).records;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) {
    throw new MalformedKafkaEventError('event.records must be an object keyed by "<topic>-<partition>"');
  }
  return Object.entries(records as Record<string, unknown>).map(([group, list]) => {
    if (!Array.isArray(list)) throw new MalformedKafkaEventError(`records[${JSON.stringify(group)}] must be an array`);
    return [group, list];
  });
}

/**
 * All records of an MSK or self-managed Kafka event, partition by partition, each partition's
 * records in the order Lambda delivered them (offset order).
 */
export function decodeKafkaEvent(event: LambdaKafkaEvent): KafkaRecord[] {
  return rawRecordGroups(event).flatMap(([group, list]) =>
    list.map((raw, i) => decodeKafkaRecord(raw, `records[${JSON.stringify(group)}][${i}]`)),
  );
}

/** The last value of a header as UTF-8 text, or undefined when the record does not carry it. */
export function headerValue(record: KafkaRecord, name: string): string | undefined {
  for (let i = record.headers.length - 1; i >= 0; i--) {
    const value = record.headers[i][name];
    if (value !== undefined) return value.toString('utf8');
  }
  return undefined;
}
