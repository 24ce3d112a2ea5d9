import { eventMarkerConfig } from '../../lambdas/runtime/event-marker';
import { writeOncePerEvent } from '../../lambdas/runtime/write-once';

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
