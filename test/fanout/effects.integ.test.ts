import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { parsePost, postPublishedEvent } from '../../lambdas/examples/post-publisher/post';
import { pinnedUntil, pinPost, PromotionRejectedError } from '../../lambdas/examples/post-real-estate/promotion';
import { awardBeans, BEANS_PER_POST } from '../../lambdas/examples/post-recruitment/reward';
import { countPost } from '../../lambdas/examples/post-second-hand/statistics';

// The consumers' effects against DynamoDB Local: each is safe to apply twice for one post.
const endpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const doc = DynamoDBDocumentClient.from(client);
const suffix = randomUUID().slice(0, 8);
const tables = {
  rewards: `fanout-rewards-${suffix}`,
  balances: `fanout-balances-${suffix}`,
  pinned: `fanout-pinned-${suffix}`,
  stats: `fanout-stats-${suffix}`,
  idempotency: `fanout-idem-${suffix}`,
};
const keys: Record<keyof typeof tables, string> = { rewards: 'postId', balances: 'userId', pinned: 'postId', stats: 'userId', idempotency: 'id' };

beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  // Where an event marker would go: the effects must not need one (their rows are the dedupe).
  process.env.IDEMPOTENCY_TABLE = tables.idempotency;
  for (const [name, table] of Object.entries(tables)) {
    const key = keys[name as keyof typeof tables];
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      }),
    );
  }
});

afterAll(async () => {
  for (const table of Object.values(tables)) await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  client.destroy();
});

const post = (postId: string, authorId = 'author-1') => parsePost({ postId, authorId, title: `post ${postId}` }, new Date('2026-11-24T08:00:00.000Z'));
const ctx = (eventId: string = randomUUID()) => ({ eventId, eventTime: '2026-11-24T08:00:00.000Z' });

/** DynamoDB requests sent through `client` (and so `doc`), by command name. */
const sent: string[] = [];
client.middlewareStack.add((next, context) => async (args) => {
  sent.push(context.commandName as string);
  return next(args);
}, { step: 'initialize', name: 'countRequests' });

test('GIVEN a post rewarded once WHEN the event is redelivered and the post republished THEN the author holds 58 beans and one reward row', async () => {
  // GIVEN
  const first = ctx();
  expect(await awardBeans(doc, tables, post('r-1', 'writer'), first)).toBe('awarded');
  // WHEN: the same event again, then the same post under a new event id
  const redelivered = await awardBeans(doc, tables, post('r-1', 'writer'), first);
  const republished = await awardBeans(doc, tables, post('r-1', 'writer'), ctx());
  // THEN
  expect([redelivered, republished]).toEqual(['duplicate', 'already-awarded']);
  const balance = await doc.send(new GetCommand({ TableName: tables.balances, Key: { userId: 'writer' } }));
  expect(balance.Item?.beans).toBe(BEANS_PER_POST);
  const rows = await doc.send(new ScanCommand({ TableName: tables.rewards }));
  expect(rows.Items?.filter((r) => r.postId === 'r-1')).toHaveLength(1);
});

test('GIVEN a pinned post WHEN pinned again THEN the row keeps its two days from publication', async () => {
  const p = post('e-1');
  expect(await pinPost(doc, tables.pinned, p, ctx('first'))).toBe('pinned');
  expect(await pinPost(doc, tables.pinned, p, ctx('first'))).toBe('duplicate');
  expect(await pinPost(doc, tables.pinned, p, ctx('second'))).toBe('already-pinned');
  const row = await doc.send(new GetCommand({ TableName: tables.pinned, Key: { postId: 'e-1' } }));
  expect(row.Item).toMatchObject({ pinnedFrom: '2026-11-24T08:00:00.000Z', pinnedUntil: '2026-11-26T08:00:00.000Z', eventId: 'first' });
  expect(pinnedUntil(p)).toBe('2026-11-26T08:00:00.000Z');
});

test('GIVEN a rejected prefix WHEN a matching post is pinned THEN it throws and writes nothing', async () => {
  await expect(pinPost(doc, tables.pinned, post('poison-1'), { ...ctx(), rejectPostIdPrefix: 'poison-' })).rejects.toThrow(PromotionRejectedError);
  const row = await doc.send(new GetCommand({ TableName: tables.pinned, Key: { postId: 'poison-1' } }));
  expect(row.Item).toBeUndefined();
});

test('GIVEN a counted post WHEN its event is delivered again and the post republished THEN the count moved once per post', async () => {
  // GIVEN
  const first = postPublishedEvent(post('s-1', 'seller'), 'urn:test');
  const second = postPublishedEvent(post('s-2', 'seller'), 'urn:test');
  expect(await countPost(doc, tables.stats, first.data, ctx(first.id))).toBe('counted');
  // WHEN
  const redelivered = await countPost(doc, tables.stats, first.data, ctx(first.id));
  const republished = await countPost(doc, tables.stats, first.data, ctx());
  await countPost(doc, tables.stats, second.data, ctx(second.id));
  // THEN
  expect([redelivered, republished]).toEqual(['duplicate', 'already-counted']);
  const stats = await doc.send(new GetCommand({ TableName: tables.stats, Key: { userId: 'seller' } }));
  expect(stats.Item).toMatchObject({ postsCount: 2, lastPostId: 's-2', lastEventId: second.id });
});

test('GIVEN 8 concurrent deliveries of one event WHEN the reward is applied THEN it is applied once and the others are duplicates or retried conflicts', async () => {
  // GIVEN
  const event = ctx();
  // WHEN
  const outcomes = await Promise.all(Array.from({ length: 8 }, () => awardBeans(doc, tables, post('r-c', 'racer'), event).catch((err: Error) => err.name)));
  // THEN: one applies; the rest find the reward row written by this event, or conflict with the transaction in flight (transient: the record handler retries them into 'duplicate')
  expect(outcomes.filter((o) => o === 'awarded')).toHaveLength(1);
  expect(outcomes.every((o) => ['awarded', 'duplicate', 'TransactionCanceledException', 'TransactionConflictException'].includes(o))).toBe(true);
  const balance = await doc.send(new GetCommand({ TableName: tables.balances, Key: { userId: 'racer' } }));
  expect(balance.Item?.beans).toBe(BEANS_PER_POST);
});

test('GIVEN each effect WHEN its event is applied and redelivered THEN every delivery is one request and no event marker is written', async () => {
  // GIVEN
  const p = post('one-request-1', 'one-request-author');
  const event = ctx();
  sent.length = 0;
  // WHEN
  const outcomes = [
    await awardBeans(doc, tables, p, event), await awardBeans(doc, tables, p, event),
    await pinPost(doc, tables.pinned, p, event), await pinPost(doc, tables.pinned, p, event),
    await countPost(doc, tables.stats, p, event), await countPost(doc, tables.stats, p, event),
  ];
  // THEN: the keyed row tells the redelivery; a single write is a plain PutItem, two a transaction
  expect(outcomes).toEqual(['awarded', 'duplicate', 'pinned', 'duplicate', 'counted', 'duplicate']);
  expect(sent).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand', 'PutItemCommand', 'PutItemCommand', 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
  const markers = await doc.send(new ScanCommand({ TableName: tables.idempotency }));
  expect(markers.Items).toEqual([]);
});
