import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDedupeStore } from '../../lambdas/runtime/gateway/dedupe';
import { documentClient, dynamoDbClient, uniqueName } from '../support/services';

/** A dedupe table (partition key `id`) on DynamoDB Local for the enclosing describe. */
function dedupeTable(prefix: string): string {
  const tableName = uniqueName(prefix);
  const dynamo = dynamoDbClient();
  beforeAll(async () => {
    await dynamo.send(new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }));
  });
  afterAll(async () => {
    await dynamo.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    dynamo.destroy();
  });
  return tableName;
}

/** The dedupe markers on DynamoDB Local: claim, release, publish, abandoned lease. */
describe('DynamoDedupeStore', () => {
  const tableName = dedupeTable('dedupe');
  const store = new DynamoDedupeStore(documentClient(), { tableName, leaseSeconds: 60 });
  const now = new Date('2026-11-24T08:00:00Z');
  const later = (s: number) => new Date(now.getTime() + s * 1000);

  test('GIVEN a claim THEN a second delivery is in progress; after markPublished it is published', async () => {
    expect(await store.claim('p:1', now)).toBe('claimed');
    expect(await store.claim('p:1', later(1))).toBe('in-progress');
    await store.markPublished('p:1', later(2));
    expect(await store.claim('p:1', later(3))).toBe('published');
    expect(await store.claim('p:1', later(3600))).toBe('published');
  });

  test('GIVEN a released claim (publish failed) THEN the retry claims it again', async () => {
    expect(await store.claim('p:2', now)).toBe('claimed');
    await store.release('p:2');
    expect(await store.claim('p:2', later(1))).toBe('claimed');
  });

  test('GIVEN a claim whose lease expired (container died mid-publish) THEN the retry claims it again', async () => {
    expect(await store.claim('p:3', now)).toBe('claimed');
    expect(await store.claim('p:3', later(59))).toBe('in-progress');
    expect(await store.claim('p:3', later(61))).toBe('claimed');
  });

  test('GIVEN concurrent deliveries of one notification THEN exactly one claims it', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.claim('p:4', now)));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });
});

/** What a repeated delivery costs: DynamoDB requests counted on the client, not timed. */
describe('DynamoDedupeStore: requests per claim', () => {
  const tableName = dedupeTable('dedupe-requests');
  const client = documentClient();
  const sent: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    sent.push(context.commandName as string);
    return next(args);
  }, { step: 'initialize', name: 'countRequests' });
  const store = new DynamoDedupeStore(client, { tableName, leaseSeconds: 60 });
  const now = new Date('2026-11-24T08:00:00Z');

  test.each([
    ['published', true],
    ['in-progress', false],
  ])('GIVEN a marker of a notification WHEN it is delivered again THEN one conditional put answers %s, no read', async (expected, published) => {
    // GIVEN
    const key = `p:${expected}`;
    await store.claim(key, now);
    if (published) await store.markPublished(key, now);
    sent.length = 0;
    // WHEN
    const result = await store.claim(key, new Date(now.getTime() + 1000));
    // THEN
    expect(result).toBe(expected);
    expect(sent).toEqual(['PutItemCommand']);
  });
});
