import type { KafkaMessage } from 'kafkajs';

/**
 * Builds the Lambda Kafka event from kafkajs messages, in the field order of AWS's sample MSK
 * event: records grouped under `<topic>-<partition>`, base64 key and value, headers as arrays
 * of byte values, numeric offset and timestamp.
 */

/** A record as the emulator carries it between fetch, filter, invoke and destination. */
export interface EmulatedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Array<[string, Buffer]>;
  /** Parsed JSON value, or the UTF-8 string if the value is not JSON; computed on first use. */
  parsed?: { value: unknown };
}

export function toEmulatedRecord(topic: string, partition: number, m: KafkaMessage): EmulatedRecord {
  const headers: Array<[string, Buffer]> = [];
  for (const [name, v] of Object.entries(m.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined) headers.push([name, Buffer.isBuffer(one) ? one : Buffer.from(String(one))]);
    }
  }
  return { topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp), key: m.key, value: m.value, headers };
}

/** The value as the filter and the report see it (parsed once per record). */
export function parsedValue(r: EmulatedRecord): unknown {
  if (!r.parsed) {
    const text = r.value === null ? null : r.value.toString('utf8');
    let value: unknown = text;
    if (text !== null) {
      try { value = JSON.parse(text); } catch { /* plain string */ }
    }
    r.parsed = { value };
  }
  return r.parsed.value;
}

export interface KafkaEventSource {
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka';
  readonly eventSourceArn?: string;
  readonly bootstrapServers: string;
}

export function recordJson(r: EmulatedRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: 'CREATE_TIME',
  };
  if (r.key !== null) out.key = r.key.toString('base64');
  if (r.value !== null) out.value = r.value.toString('base64');
  out.headers = r.headers.map(([name, bytes]) => ({ [name]: [...bytes] }));
  return out;
}

export function buildKafkaEvent(source: KafkaEventSource, records: readonly EmulatedRecord[]): Record<string, unknown> {
  const grouped: Record<string, unknown[]> = {};
  for (const r of records) (grouped[`${r.topic}-${r.partition}`] ??= []).push(recordJson(r));
  const event: Record<string, unknown> = { eventSource: source.eventSource };
  if (source.eventSourceArn !== undefined) event.eventSourceArn = source.eventSourceArn;
  event.bootstrapServers = source.bootstrapServers;
  event.records = grouped;
  return event;
}

/** CloudEvent ids of the records whose value is a CloudEvents JSON document. */
export function eventIds(records: readonly EmulatedRecord[]): string[] {
  const ids: string[] = [];
  for (const r of records) {
    if (r.value === null || r.value.length > 256 * 1024) continue;
    const v = parsedValue(r) as { id?: unknown } | null;
    if (v && typeof v === 'object' && typeof v.id === 'string') ids.push(v.id);
  }
  return ids;
}
