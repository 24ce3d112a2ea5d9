import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { applyResult, createOrder } from '../../lambdas/examples/payment-order/orders';
import { updateOncePerEvent } from '../../lambdas/runtime/update-once-per-event';
import { documentClient, dynamoDbClient, uniqueName } from '../support/services';

/** The payment result's effect against DynamoDB Local: one request, once per result event and once per order. */
describe('payment results (DynamoDB Local)', () => {
  const table = uniqueName('orders');
  const db = documentClient();
  const order = (orderNumber: string) => ({ orderNumber, status: 'PENDING' as const, amount: 100, description: 'test', createdAt: '2026-11-30T08:00:00.000Z', deadline: '2026-11-30T09:00:00.000Z' });
  const at = new Date('2026-11-30T08:05:00.000Z');

  beforeAll(async () => {
    await dynamoDbClient().send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'orderNumber', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'orderNumber', AttributeType: 'S' }],
    }));
  });

  test('GIVEN a settled order WHEN its result is redelivered and another result arrives THEN the first result stands and each is told apart', async () => {
    // GIVEN
    await createOrder(db, table, order('ORD-1'));
    expect(await applyResult(db, table, 'ORD-1', { paid: true, transactionId: 'tx-1', eventId: 'result-1', at })).toBe('updated');
    // WHEN
    const redelivered = await applyResult(db, table, 'ORD-1', { paid: true, transactionId: 'tx-1', eventId: 'result-1', at });
    const another = await applyResult(db, table, 'ORD-1', { paid: false, eventId: 'result-2', at });
    // THEN
    expect([redelivered, another]).toEqual(['duplicate', 'unchanged']);
    const item = (await db.send(new GetCommand({ TableName: table, Key: { orderNumber: 'ORD-1' }, ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ status: 'PAID', transactionId: 'tx-1', resultEventId: 'result-1', appliedEventIds: new Set(['result-1']) });
  });

  test('GIVEN a result for an order that does not exist WHEN applied THEN nothing is written', async () => {
    expect(await applyResult(db, table, 'ORD-missing', { paid: true, eventId: 'result-3', at })).toBe('unchanged');
    expect((await db.send(new GetCommand({ TableName: table, Key: { orderNumber: 'ORD-missing' } }))).Item).toBeUndefined();
  });

  test('GIVEN an update with an ADD clause WHEN applied once per event THEN both adds happen once', async () => {
    // GIVEN
    await createOrder(db, table, order('ORD-2'));
    const update = { TableName: table, Key: { orderNumber: 'ORD-2' }, UpdateExpression: 'ADD amount :ten SET note = :note', ExpressionAttributeValues: { ':ten': 10, ':note': 'n' } };
    // WHEN
    const outcomes = [await updateOncePerEvent({ id: 'e-1' }, update, { client: db }), await updateOncePerEvent({ id: 'e-1' }, update, { client: db })];
    // THEN
    expect(outcomes).toEqual(['applied', 'duplicate']);
    expect((await db.send(new GetCommand({ TableName: table, Key: { orderNumber: 'ORD-2' }, ConsistentRead: true }))).Item).toMatchObject({ amount: 110, note: 'n' });
  });

  test('GIVEN an update that uses the names the helper adds WHEN applied THEN it is refused naming them', async () => {
    await expect(updateOncePerEvent({ id: 'e' }, { TableName: table, Key: { orderNumber: 'x' }, UpdateExpression: 'SET a = :appliedEventId' }, { client: db })).rejects.toThrow(/may not use the names #appliedEventIds, :appliedEventId or :appliedEventIds/);
  });
});
