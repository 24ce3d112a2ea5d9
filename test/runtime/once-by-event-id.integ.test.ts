process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createEvent, type CloudEvent } from '../../lambdas/runtime/cloudevents';
import { getDocumentClient, getDynamoClient } from '../../lambdas/runtime/dynamo';
import { onceByEventId } from '../../lambdas/runtime/once-by-event-id';
import { uniqueName } from '../support/services';

/** onceByEventId against DynamoDB Local: what it does with the records other invocations left. */
describe('onceByEventId (DynamoDB Local)', () => {
  const table = uniqueName('once');
  const keyPrefix = 'once-test';
  const ctx = { attempt: 1, record: {} as never };
  const event = (n: number): CloudEvent => createEvent({ type: 'order.placed', source: 'urn:test', id: `${table}-${n}`, data: { n } });
  const record = async (e: CloudEvent) => (await getDocumentClient().send(new GetCommand({ TableName: table, Key: { id: `${keyPrefix}#${e.id}` }, ConsistentRead: true }))).Item;
  const leftBehind = (e: CloudEvent, item: Record<string, unknown>) =>
    getDocumentClient().send(new PutCommand({ TableName: table, Item: { id: `${keyPrefix}#${e.id}`, owner: 'another-container', expiration: Math.floor(Date.now() / 1000) + 3600, ...item } }));

  beforeAll(async () => {
    await getDynamoClient().send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }));
  });

  test('GIVEN an effect that throws once WHEN retried THEN the retry runs it again and the event is then completed', async () => {
    // GIVEN
    let calls = 0;
    const once = onceByEventId(async () => {
      if (++calls === 1) throw new Error('effect failed');
    }, { table, keyPrefix });
    const e = event(1);
    // WHEN
    await expect(once(e, ctx)).rejects.toThrow('effect failed');
    const afterFailure = await record(e);
    await once(e, ctx);
    await once(e, ctx);
    // THEN
    expect(afterFailure).toBeUndefined();
    expect(calls).toBe(2);
    expect(await record(e)).toMatchObject({ status: 'COMPLETED' });
  });

  test('GIVEN an in-progress record of another live invocation WHEN the event arrives THEN it throws IdempotencyAlreadyInProgressError without running the effect', async () => {
    // GIVEN
    const e = event(2);
    await leftBehind(e, { status: 'INPROGRESS', in_progress_expiration: Date.now() + 60_000 });
    let calls = 0;
    const once = onceByEventId(async () => void calls++, { table, keyPrefix });
    // WHEN / THEN
    await expect(once(e, ctx)).rejects.toMatchObject({ name: 'IdempotencyAlreadyInProgressError', cause: { name: 'ConditionalCheckFailedException' } });
    expect(calls).toBe(0);
  });

  test('GIVEN an in-progress record whose invocation ran out of time WHEN the event arrives THEN it takes over and runs the effect once', async () => {
    // GIVEN
    const e = event(3);
    await leftBehind(e, { status: 'INPROGRESS', in_progress_expiration: Date.now() - 1 });
    let calls = 0;
    const once = onceByEventId(async () => void calls++, { table, keyPrefix });
    // WHEN
    await once(e, ctx);
    await once(e, ctx);
    // THEN
    expect(calls).toBe(1);
    expect(await record(e)).toMatchObject({ status: 'COMPLETED' });
  });

  test('GIVEN a completed record past its TTL that DynamoDB has not deleted yet WHEN the event arrives again THEN it counts as new', async () => {
    // GIVEN
    const e = event(4);
    await leftBehind(e, { status: 'COMPLETED', expiration: Math.floor(Date.now() / 1000) - 10 });
    let calls = 0;
    const once = onceByEventId(async () => void calls++, { table, keyPrefix });
    // WHEN
    await once(e, ctx);
    // THEN
    expect(calls).toBe(1);
  });

  test('GIVEN a completed record WHEN 5 deliveries of the event arrive at once THEN the effect does not run', async () => {
    // GIVEN
    const e = event(5);
    await leftBehind(e, { status: 'COMPLETED' });
    let calls = 0;
    const once = onceByEventId(async () => void calls++, { table, keyPrefix });
    // WHEN
    await Promise.all(Array.from({ length: 5 }, () => once(e, ctx)));
    // THEN
    expect(calls).toBe(0);
  });

  test('GIVEN a bad expiresAfterSeconds WHEN wrapping THEN the error names the option, the range and the value', () => {
    expect(() => onceByEventId(async () => undefined, { table, expiresAfterSeconds: 0 })).toThrow('onceByEventId: expiresAfterSeconds must be an integer >= 1, got 0');
  });
});
