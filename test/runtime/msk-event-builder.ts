import type { MSKEvent } from 'aws-lambda';

/** Builds a Lambda MSK event in the shape of AWS's sample (test/fixtures/msk-event.json). */
export function mskEvent(records: Array<{ topic: string; partition: number; offset: number; key?: string; value: string | Buffer | null; headers?: Record<string, string> }>): MSKEvent {
  const grouped: MSKEvent['records'] = {};
  for (const r of records) {
    (grouped[`${r.topic}-${r.partition}`] ??= []).push({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: 1545084650987,
      timestampType: 'CREATE_TIME',
      key: r.key === undefined ? (undefined as unknown as string) : Buffer.from(r.key).toString('base64'),
      value: r.value === null ? (null as unknown as string) : Buffer.from(r.value).toString('base64'),
      headers: Object.entries(r.headers ?? {}).map(([k, v]) => ({ [k]: [...Buffer.from(v)] })),
    });
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/test/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
    bootstrapServers: '127.0.0.1:9092',
    records: grouped,
  };
}
