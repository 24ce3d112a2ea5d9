/**
 * Profile (not part of `npm run bench`): what one write costs DynamoDB Local — a conditional
 * PutItem and TransactWriteItems of 1, 2 and 3 items — at concurrency C (default 9: three
 * groups × three partitions), N requests each (default 600), two rounds (the first warms the
 * JVM). Prints requests/s, mean latency, and CPU per request of the DynamoDB Local JVM (JVM=<pid>,
 * from /proc/<pid>/stat) and of this client.
 *
 *   JVM=<DynamoDBLocal pid> DYNAMODB_ENDPOINT=… npx tsx bench/profile/dynamodb-write-cost.ts
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
/** CPU ms of the JVM so far: utime + stime (fields 14, 15 of /proc/<pid>/stat) in 10 ms clock ticks. */
const jvm = () => { const f = fs.readFileSync(`/proc/${process.env.JVM}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const dynamo = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const doc = DynamoDBDocumentClient.from(dynamo);
const N = Number(process.env.N ?? 600), C = Number(process.env.C ?? 9);
async function main() {
  const t = `prof-${randomUUID().slice(0, 8)}`;
  for (const name of [t, t + 'b', t + 'm']) await dynamo.send(new CreateTableCommand({ TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }] }));
  const kinds: Record<string, (i: string) => Promise<unknown>> = {
    put: (i) => doc.send(new PutCommand({ TableName: t, Item: { id: i, a: 'x', at: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(id)' })),
    tx1: (i) => doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: t, Item: { id: i, a: 'x' }, ConditionExpression: 'attribute_not_exists(id)' } }] })),
    tx2: (i) => doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: t, Item: { id: i, a: 'x' }, ConditionExpression: 'attribute_not_exists(id)' } },
      { Update: { TableName: t + 'b', Key: { id: 'u' + i }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } }] })),
    tx3: (i) => doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: t + 'm', Item: { id: 'm#' + i, expiration: 1 }, ConditionExpression: 'attribute_not_exists(id) OR expiration < :now', ExpressionAttributeValues: { ':now': 5 } } },
      { Put: { TableName: t, Item: { id: i, a: 'x' }, ConditionExpression: 'attribute_not_exists(id)' } },
      { Update: { TableName: t + 'b', Key: { id: 'u' + i }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } }] })),
  };
  for (const round of [1, 2]) for (const [k, f] of Object.entries(kinds)) {
    let n = 0; const s = performance.now(); const j0 = jvm(); const c0 = process.cpuUsage();
    await Promise.all(Array.from({ length: C }, async () => { while (n < N) { const i = `${k}-${round}-${n++}`; await f(i); } }));
    const ms = performance.now() - s;
    console.log(JSON.stringify({ round, kind: k, concurrency: C, requests: N, perSecond: Math.round(N / ms * 1000), meanMs: +(ms * C / N).toFixed(2), jvmCpuMsPerRequest: +((jvm() - j0) / N).toFixed(2), clientCpuMsPerRequest: +(((c => c.user + c.system)(process.cpuUsage(c0))) / 1000 / N).toFixed(2) }));
  }
  dynamo.destroy();
}
main();
