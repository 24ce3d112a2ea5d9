/**
 * Profile (not part of `npm run bench`): the recruitment consumer's real handler in this process
 * (no emulator, no worker) on batches of 300 records against DynamoDB Local, next to the raw
 * writes it could be reduced to (a three-item transaction, a conditional PutItem), sequential:
 * wall time and client CPU per record, three rounds.
 *
 *   DYNAMODB_ENDPOINT=… npx tsx bench/profile/handler-cost.ts
 */
import { randomUUID } from 'crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { eventMessage } from '../../lambdas/runtime/event-message';
import { postPublishedEvent } from '../../lambdas/examples/post-publisher/post';
const run = randomUUID().slice(0, 8);
const T = { rewards: `r-${run}`, balances: `b-${run}`, idem: `i-${run}` };
process.env.AWS_ENDPOINT_URL_DYNAMODB = process.env.DYNAMODB_ENDPOINT;
process.env.AWS_REGION = 'us-east-1'; process.env.AWS_ACCESS_KEY_ID = 'local'; process.env.AWS_SECRET_ACCESS_KEY = 'local';
process.env.REWARDS_TABLE = T.rewards; process.env.BALANCES_TABLE = T.balances; process.env.IDEMPOTENCY_TABLE = T.idem;
process.env.POWERTOOLS_SERVICE_NAME = 'recruitment'; process.env.DEAD_LETTER_TOPIC = 'x';
process.env.POWERTOOLS_LOG_LEVEL = process.env.LOGLEVEL ?? 'INFO';
const N = 300;
async function main() {
  const dynamo = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(dynamo);
  for (const [t, k] of [[T.rewards, 'postId'], [T.balances, 'userId'], [T.idem, 'id']]) await dynamo.send(new CreateTableCommand({ TableName: t, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: k, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: k, AttributeType: 'S' }] }));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the environment above is set, as Lambda loads it
  const { handler } = require('../../lambdas/examples/post-recruitment/index') as typeof import('../../lambdas/examples/post-recruitment/index');
  const origWrite = process.stdout.write.bind(process.stdout);
  let lines = 0;
  const mkEvent = (tag: string, n: number) => ({ eventSource: 'aws:kafka', eventSourceArn: 'arn', bootstrapServers: 'x', records: { 't-0': Array.from({ length: n }, (_, i) => {
    const m = eventMessage(postPublishedEvent({ postId: `${tag}-${i}`, authorId: `${tag}-a${i}`, title: 't', publishedAt: new Date().toISOString() }, 'urn:bench'));
    return { topic: 't', partition: 0, offset: i, timestamp: Date.now(), timestampType: 'CREATE_TIME', key: m.key ? Buffer.from(String(m.key)).toString('base64') : null, value: Buffer.from(String(m.value)).toString('base64'), headers: [] };
  }) } });
  const ctx = { getRemainingTimeInMillis: () => 60000 } as any;
  const measure = async (label: string, f: () => Promise<unknown>) => {
    const c0 = process.cpuUsage(); const t0 = performance.now();
    process.stdout.write = (() => { lines++; return true; }) as any;
    await f();
    process.stdout.write = origWrite as any;
    const ms = performance.now() - t0; const cpu = process.cpuUsage(c0);
    console.log(JSON.stringify({ label, msPerRecord: +(ms / N).toFixed(2), cpuMsPerRecord: +((cpu.user + cpu.system) / 1000 / N).toFixed(3) }));
  };
  for (const round of [1, 2, 3]) {
    const ev = mkEvent(`h${round}`, N);
    await measure(`handler(${N} records) r${round}`, () => handler(ev as any, ctx));
    await measure(`raw tx3 r${round}`, async () => { for (let i = 0; i < N; i++) await doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: T.idem, Item: { id: `x#${round}-${i}`, status: 'COMPLETED', expiration: 9999999999 }, ConditionExpression: 'attribute_not_exists(id) OR expiration < :now', ExpressionAttributeValues: { ':now': 1 } } },
      { Put: { TableName: T.rewards, Item: { postId: `x${round}-${i}`, authorId: 'a', beans: 58, eventId: 'e', eventTime: 't', appliedAt: 'n' }, ConditionExpression: 'attribute_not_exists(postId)' } },
      { Update: { TableName: T.balances, Key: { userId: `x${round}-a${i}` }, UpdateExpression: 'ADD beans :beans SET updatedAt = :now', ExpressionAttributeValues: { ':beans': 58, ':now': 'n' } } }] })); });
    await measure(`raw put r${round}`, async () => { for (let i = 0; i < N; i++) await doc.send(new PutCommand({ TableName: T.rewards, Item: { postId: `y${round}-${i}`, appliedAt: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(postId)' })); });
  }
  console.log('log lines', lines);
}
main().catch((e) => { console.error(e); process.exit(1); });
