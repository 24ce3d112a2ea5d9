import type { Context } from 'aws-lambda';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { ConsumerEnv } from '../../lambdas/runtime/consumer-env';
import { EnvError } from '../../lambdas/runtime/env';
import { BatchNotCompletedError, isTransientError, kafkaRecordHandler } from '../../lambdas/runtime/record-handler';
import { mskEvent } from './msk-event-builder';

// These cases never reach Kafka: either no time is left or no dead-letter topic is configured.
const value = (n: number) => encodeEvent(createEvent({ type: 'test.happened', source: 'urn:test', data: { n } }));

describe('kafkaRecordHandler without Kafka', () => {
  beforeEach(() => delete process.env.DEAD_LETTER_TOPIC);

  test('GIVEN almost no time left WHEN invoked THEN nothing runs and every record is reported', async () => {
    // GIVEN
    const fn = jest.fn(async () => undefined);
    const handler = kafkaRecordHandler(fn, { reserveMs: 1000, reportBatchItemFailures: true });
    const context = { getRemainingTimeInMillis: () => 500 } as unknown as Context;
    // WHEN
    const result = await handler(mskEvent([
      { topic: 't', partition: 0, offset: 1, value: value(1) },
      { topic: 't', partition: 1, offset: 9, value: value(2) },
    ]), context);
    // THEN
    expect(fn).not.toHaveBeenCalled();
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 't-0', offset: 1 } },
      { itemIdentifier: { partition: 't-1', offset: 9 } },
    ]);
  });

  test('GIVEN no dead-letter topic WHEN a record keeps failing THEN it and the later records of its partition are reported', async () => {
    // GIVEN
    const seen: number[] = [];
    const handler = kafkaRecordHandler<{ n: number }>(async (event, ctx) => {
      seen.push(event.data.n * 10 + ctx.attempt);
      if (event.data.n === 2) throw new Error('boom');
    }, { maxAttempts: 2, backoffMs: 1, reportBatchItemFailures: true });
    // WHEN
    const result = await handler(mskEvent([
      { topic: 't', partition: 0, offset: 1, value: value(1) },
      { topic: 't', partition: 0, offset: 2, value: value(2) },
      { topic: 't', partition: 0, offset: 3, value: value(3) },
      { topic: 't', partition: 1, offset: 5, value: value(4) },
    ]));
    // THEN
    expect(seen.sort()).toEqual([11, 21, 22, 41]);
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 't-0', offset: 2 } },
      { itemIdentifier: { partition: 't-0', offset: 3 } },
    ]);
  });

  describe('a mapping that does not report item failures (economical)', () => {
    afterEach(() => delete process.env[ConsumerEnv.REPORT_BATCH_ITEM_FAILURES]);
    const failingSecond = (options: Parameters<typeof kafkaRecordHandler>[1] = {}) => kafkaRecordHandler<{ n: number }>(async (event) => {
      if (event.data.n === 2) throw new Error('boom');
    }, { maxAttempts: 1, ...options });
    const batch = () => mskEvent([
      { topic: 't', partition: 0, offset: 1, value: value(1) },
      { topic: 't', partition: 0, offset: 2, value: value(2) },
      { topic: 't', partition: 0, offset: 3, value: value(3) },
    ]);

    test('GIVEN REPORT_BATCH_ITEM_FAILURES unset WHEN a record is neither done nor dead-lettered THEN the invocation fails, naming it', async () => {
      // WHEN
      const result = failingSecond()(batch());
      // THEN
      await expect(result).rejects.toThrow(BatchNotCompletedError);
      await expect(failingSecond()(batch())).rejects.toThrow('2 record(s) of the batch were neither processed nor dead-lettered (from t-0@2)');
    });

    test('GIVEN REPORT_BATCH_ITEM_FAILURES=false WHEN a record is not done THEN the invocation fails', async () => {
      process.env[ConsumerEnv.REPORT_BATCH_ITEM_FAILURES] = 'false';
      await expect(failingSecond()(batch())).rejects.toThrow(BatchNotCompletedError);
    });

    test('GIVEN REPORT_BATCH_ITEM_FAILURES=true WHEN a record is not done THEN it and the later records are returned as item failures', async () => {
      process.env[ConsumerEnv.REPORT_BATCH_ITEM_FAILURES] = 'true';
      await expect(failingSecond()(batch())).resolves.toEqual({ batchItemFailures: [
        { itemIdentifier: { partition: 't-0', offset: 2 } },
        { itemIdentifier: { partition: 't-0', offset: 3 } },
      ] });
    });

    test('GIVEN every record done WHEN the mapping does not report item failures THEN the invocation succeeds', async () => {
      await expect(kafkaRecordHandler(async () => undefined)(batch())).resolves.toEqual({ batchItemFailures: [] });
    });
  });

  test('GIVEN maxAttempts 0 WHEN the handler is built THEN it is rejected naming the option', () => {
    expect(() => kafkaRecordHandler(async () => undefined, { maxAttempts: 0 })).toThrow(new RangeError('maxAttempts must be an integer >= 1, got 0'));
  });

  test.each([
    ['MAX_ATTEMPTS', '0'],
    ['MAX_ATTEMPTS', 'three'],
    ['RECORD_CONCURRENCY', '1.5'],
  ])('GIVEN %s=%s in the environment WHEN the handler is built THEN it is rejected as the env contract words it', (name, value) => {
    const saved = process.env[name];
    process.env[name] = value;
    try {
      expect(() => kafkaRecordHandler(async () => undefined)).toThrow(new EnvError(name, `environment variable ${name} must be an integer >= 1, got ${JSON.stringify(value)}`));
      expect(() => kafkaRecordHandler(async () => undefined)).toThrow(EnvError);
    } finally {
      if (saved === undefined) delete process.env[name];
      else process.env[name] = saved;
    }
  });

  describe('per-key concurrency', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Records of keys a and b interleaved on one partition, offsets 1..6. */
    const interleaved = () => mskEvent([1, 2, 3, 4, 5, 6].map((n) => ({ topic: 't', partition: 0, offset: n, key: n % 2 ? 'a' : 'b', value: value(n) })));

    const recording = (concurrency: number, failOn?: number) => {
      const log: string[] = [];
      let running = 0;
      let peak = 0;
      const handler = kafkaRecordHandler<{ n: number }>(async (event) => {
        running++;
        peak = Math.max(peak, running);
        log.push(`start ${event.data.n}`);
        await sleep(event.data.n === 1 ? 60 : 10);
        log.push(`end ${event.data.n}`);
        running--;
        if (event.data.n === failOn) throw new Error('boom');
      }, { concurrency, maxAttempts: 1, backoffMs: 1, reportBatchItemFailures: true });
      return { handler, log, peak: () => peak };
    };
    const order = (log: string[], key: 'a' | 'b') => log.filter((l) => l.startsWith('start') && Number(l.split(' ')[1]) % 2 === (key === 'a' ? 1 : 0));

    test('GIVEN concurrency 1 WHEN a batch runs THEN the partition runs strictly in offset order, one record at a time', async () => {
      const r = recording(1);
      const result = await r.handler(interleaved());
      expect(result.batchItemFailures).toEqual([]);
      expect(r.log.filter((l) => l.startsWith('start'))).toEqual(['start 1', 'start 2', 'start 3', 'start 4', 'start 5', 'start 6']);
      expect(r.peak()).toBe(1);
    });

    test('GIVEN concurrency 4 and two keys WHEN a slow record of key a runs THEN key b goes on meanwhile and each key keeps its order', async () => {
      const r = recording(4);
      const result = await r.handler(interleaved());
      expect(result.batchItemFailures).toEqual([]);
      expect(order(r.log, 'a')).toEqual(['start 1', 'start 3', 'start 5']);
      expect(order(r.log, 'b')).toEqual(['start 2', 'start 4', 'start 6']);
      // Record 3 (key a) waits for record 1; record 2 (key b) does not.
      expect(r.log.indexOf('start 2')).toBeLessThan(r.log.indexOf('end 1'));
      expect(r.log.indexOf('start 3')).toBeGreaterThan(r.log.indexOf('end 1'));
      expect(r.peak()).toBe(2);
    });

    test('GIVEN concurrency 4 WHEN a record fails for good and cannot be dead-lettered THEN it and every later offset are reported, and no later record of its key runs', async () => {
      const r = recording(4, 3);
      const result = await r.handler(interleaved());
      expect(result.batchItemFailures.map((f) => (f.itemIdentifier as { offset: number }).offset)).toEqual([3, 4, 5, 6]);
      expect(r.log).not.toContain('start 5');
    });

    test('GIVEN RECORD_CONCURRENCY=0 WHEN the handler is built THEN it is rejected naming the setting', () => {
      expect(() => kafkaRecordHandler(async () => undefined, { concurrency: 0 })).toThrow(new RangeError('concurrency must be an integer >= 1, got 0'));
    });
  });

  test.each([
    [Object.assign(new Error('conflict'), { name: 'TransactionConflictException' }), true],
    [Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] }), true],
    [Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }), false],
    [Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), true],
    [new Error('boom'), false],
  ])('GIVEN %p THEN isTransientError is %p', (error, transient) => {
    expect(isTransientError(error)).toBe(transient);
  });
});
