import { eventMarkerConfig } from '../../lambdas/runtime/event-marker';
import { writeOncePerEvent } from '../../lambdas/runtime/write-once-per-event';
import { writeOncePerKey } from '../../lambdas/runtime/write-once-per-key';

describe('writeOncePerEvent input', () => {
  test('GIVEN no writes or more than a transaction holds WHEN called THEN it refuses, naming the range and the count, before any request', async () => {
    const put = { Put: { TableName: 't', Item: { id: 'x' } } };
    await expect(writeOncePerEvent({ id: 'e' }, [], { table: 'markers' })).rejects.toThrow('writeOncePerEvent: items must hold 1 to 99 writes; got 0');
    await expect(writeOncePerEvent({ id: 'e' }, Array.from({ length: 100 }, () => put), { table: 'markers' })).rejects.toThrow('writeOncePerEvent: items must hold 1 to 99 writes; got 100');
  });

  test('GIVEN no table option and no IDEMPOTENCY_TABLE WHEN the marker is configured THEN the error names both', () => {
    expect(() => eventMarkerConfig({}, 'writeOncePerEvent', {})).toThrow('writeOncePerEvent needs a table: pass options.table or set IDEMPOTENCY_TABLE');
  });

  test('GIVEN the environment WHEN the marker is configured THEN the table and the key prefix come from it, one day by default', () => {
    expect(eventMarkerConfig({}, 'x', { IDEMPOTENCY_TABLE: 'idem', POWERTOOLS_SERVICE_NAME: 'recruitment' })).toEqual({ table: 'idem', keyPrefix: 'recruitment', expiresAfterSeconds: 86400 });
  });
});

describe('writeOncePerKey input', () => {
  test('GIVEN writes whose first is not a conditional Put, or no writes WHEN called THEN it refuses, naming the field, the rule and what was given, before any request', async () => {
    const update = { Update: { TableName: 't', Key: { id: 'x' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } };
    await expect(writeOncePerKey({ id: 'e' }, [])).rejects.toThrow('writeOncePerKey: writes must hold 1 to 100 writes; got 0');
    await expect(writeOncePerKey({ id: 'e' }, [update])).rejects.toThrow('writeOncePerKey: writes[0] must be a Put with a ConditionExpression that fails when its row exists (e.g. attribute_not_exists(<partition key>)); got Update');
    await expect(writeOncePerKey({ id: 'e' }, [{ Put: { TableName: 't', Item: { id: 'x' } } }])).rejects.toThrow('got a Put without one');
  });
});
