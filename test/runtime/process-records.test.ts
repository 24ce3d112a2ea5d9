import type { Context } from 'aws-lambda';
import { createEvent, encodeEvent } from '../../lambdas/shared/cloudevents';
import { kafkaRecordHandler } from '../../lambdas/shared/process-records';
import { mskEvent } from './msk-event-builder';

// These cases never reach Kafka: either no time is left or no dead-letter topic is configured.
const value = (n: number) => encodeEvent(createEvent({ type: 'test.happened', source: 'urn:test', data: { n } }));

describe('kafkaRecordHandler without Kafka', () => {
  beforeEach(() => delete process.env.DEAD_LETTER_TOPIC);

  test('GIVEN almost no time left WHEN invoked THEN nothing runs and every record is reported', async () => {
    // GIVEN
    const fn = jest.fn(async () => undefined);
    const handler = kafkaRecordHandler(fn, { reserveMs: 1000 });
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
    }, { maxAttempts: 2, backoffMs: 1 });
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

  test('GIVEN MAX_ATTEMPTS=0 WHEN the handler is built THEN it is rejected naming the setting', () => {
    expect(() => kafkaRecordHandler(async () => undefined, { maxAttempts: 0 })).toThrow(/maxAttempts \(MAX_ATTEMPTS\) must be an integer >= 1; got 0/);
  });
});
