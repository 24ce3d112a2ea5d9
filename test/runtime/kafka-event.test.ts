import type { MSKEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import { decodeKafkaEvent, headerValue, MalformedKafkaEventError } from '../../lambdas/runtime/kafka-event';
import mskFixture from '../fixtures/msk-event.json';
import selfManagedFixture from '../fixtures/self-managed-kafka-event.json';
import { mskEvent } from './msk-event-builder';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('decodeKafkaEvent', () => {
  test('GIVEN AWS sample MSK event WHEN decoded THEN key, value and headers are bytes', () => {
    // WHEN
    const [record, ...rest] = decodeKafkaEvent(mskFixture as unknown as MSKEvent);
    // THEN
    expect(rest).toHaveLength(0);
    expect(record).toMatchObject({ topic: 'mytopic', partition: 0, offset: 15, timestamp: 1545084650987, timestampType: 'CREATE_TIME' });
    expect(record.value?.toString()).toBe('Hello, this is a test.');
    expect(record.key).toEqual(Buffer.from('abcDEFghiJKLmnoPQRstuVWXyz1234==', 'base64'));
    expect(headerValue(record, 'headerKey')).toBe('headerValue');
    expect(headerValue(record, 'missing')).toBeUndefined();
  });

  test('GIVEN AWS sample self-managed Kafka event WHEN decoded THEN same record as MSK', () => {
    const records = decodeKafkaEvent(selfManagedFixture as unknown as SelfManagedKafkaEvent);
    expect(records).toEqual(decodeKafkaEvent(mskFixture as unknown as MSKEvent));
  });

  test('GIVEN two partitions WHEN decoded THEN all records kept, in order within each partition', () => {
    const event = mskEvent([
      { topic: 'orders', partition: 0, offset: 7, value: 'a' },
      { topic: 'orders', partition: 1, offset: 3, value: 'x' },
      { topic: 'orders', partition: 0, offset: 8, value: 'b' },
      { topic: 'orders', partition: 1, offset: 4, value: 'y' },
    ]);
    const records = decodeKafkaEvent(event);
    expect(records.map((r) => `${r.partition}:${r.offset}:${r.value}`)).toEqual(['0:7:a', '0:8:b', '1:3:x', '1:4:y']);
  });

  test('GIVEN a record without key and a null value WHEN decoded THEN both are null', () => {
    const [record] = decodeKafkaEvent(mskEvent([{ topic: 't', partition: 0, offset: 0, value: null }]));
    expect(record.key).toBeNull();
    expect(record.value).toBeNull();
  });

  test('GIVEN a signed byte in a header WHEN decoded THEN it maps to the unsigned byte', () => {
    const event = clone(mskFixture) as unknown as MSKEvent;
    event.records['mytopic-0'][0].headers = [{ h: [-1, 65] }];
    expect([...decodeKafkaEvent(event)[0].headers[0].h]).toEqual([255, 65]);
  });

  test.each([
    ['bad base64 value', (r: Record<string, unknown>) => (r.value = 'not base64!'), /records\["mytopic-0"\]\[0\]\.value is not valid base64/],
    ['bad base64 key', (r: Record<string, unknown>) => (r.key = '%%%'), /records\["mytopic-0"\]\[0\]\.key is not valid base64/],
    ['negative offset', (r: Record<string, unknown>) => (r.offset = -1), /records\["mytopic-0"\]\[0\]\.offset must be a non-negative integer/],
    ['missing topic', (r: Record<string, unknown>) => delete r.topic, /records\["mytopic-0"\]\[0\]\.topic must be a non-empty string/],
    ['header not bytes', (r: Record<string, unknown>) => (r.headers = [{ h: 'x' }]), /records\["mytopic-0"\]\[0\]\.headers\[0\]\.h must be an array of bytes/],
  ])('GIVEN %s WHEN decoded THEN the error names the field', (_name, mutate, message) => {
    const event = clone(mskFixture) as unknown as { records: Record<string, Array<Record<string, unknown>>> };
    mutate(event.records['mytopic-0'][0]);
    expect(() => decodeKafkaEvent(event as unknown as MSKEvent)).toThrow(MalformedKafkaEventError);
    expect(() => decodeKafkaEvent(event as unknown as MSKEvent)).toThrow(message);
  });

  test('GIVEN no records object WHEN decoded THEN the error names event.records', () => {
    expect(() => decodeKafkaEvent({ eventSource: 'aws:kafka' } as unknown as MSKEvent)).toThrow(/event\.records must be an object/);
  });
});
