/**
 * Requests-per-event benchmark: the DynamoDB requests and the capacity units each consumer of the
 * example app spends per event, COUNTED, not timed. Each consumer's real handler runs in this
 * process against DynamoDB Local; a middleware on the runtime's DynamoDB client counts every
 * request by operation and asks each one for `ReturnConsumedCapacity: TOTAL`, summing what
 * DynamoDB reports. A request whose condition fails returns an error with no consumed capacity
 * (AWS still charges it: a failed conditional write costs the write units of the item), so
 * failed conditions are counted on their own.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 *
 * Per consumer: EVENTS new events (batches of 10, as the mapping delivers them), then the same
 * events delivered again (what a redelivery costs). Needs DYNAMODB_ENDPOINT (npm run bench
 * provides it). Writes bench/results/requests-per-event.json.
 *
 *   npx tsx bench/requests-per-event.ts [events]
 */
import * as fs from 'fs';
import * as path from 'path';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parsePost, postPublishedEvent } from '../lambdas/examples/post-publisher/post';
import { createOrder } from '../lambdas/examples/payment-order/orders';
import { createEvent, encodeEvent } from '../lambdas/runtime/cloudevents';
import { getDocumentClient, getDynamoClient } from '../lambdas/runtime/dynamo';
import { mskEvent } from '../test/runtime/msk-event-builder';

const EVENTS = Number(process.argv[2] ?? 50);
const BATCH = 10;

interface Counts {
  requests: Record<string, number>;
  total: number;
  conditionFailed: number;
  /** As DynamoDB Local reports them (ReturnConsumedCapacity: TOTAL). */
  writeCapacityUnits: number;
  readCapacityUnits: number;
  /**
   * By AWS's rule, for the writes that succeeded: 1 WCU per KB (rounded up) of each item
   * written, twice that for an item in a transaction. DynamoDB Local reports a transaction of
   * two items on one table as 2 units where AWS charges 4, so both are kept.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
   */
  awsRuleWriteCapacityUnits: number;
}

const counts = (): Counts => ({ requests: {}, total: 0, conditionFailed: 0, writeCapacityUnits: 0, readCapacityUnits: 0, awsRuleWriteCapacityUnits: 0 });

/** Write units of one item by AWS's rule (its size estimated from its JSON, which overstates it slightly). */
const itemUnits = (item: unknown) => Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item ?? {})) / 1024));

/** AWS-rule write units of a request that succeeded. */
function awsRuleUnits(operation: string, input: Record<string, unknown>): number {
  if (operation === 'TransactWriteItems') {
    return (input.TransactItems as Array<Record<string, { Item?: unknown; Key?: unknown }>>).reduce((sum, w) => sum + 2 * itemUnits(Object.values(w)[0]?.Item ?? Object.values(w)[0]?.Key), 0);
  }
  if (/^(PutItem|UpdateItem|DeleteItem)$/.test(operation)) return itemUnits(input.Item ?? input.Key);
  return 0;
}
let current = counts();

/** Counts every request of `client` into `current`, with the capacity DynamoDB reports for it. */
function countRequests(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      current.requests[operation] = (current.requests[operation] ?? 0) + 1;
      current.total++;
      try {
        const out = await next(args);
        current.awsRuleWriteCapacityUnits += awsRuleUnits(operation, input);
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
        for (const c of (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Array<{ WriteCapacityUnits?: number; ReadCapacityUnits?: number; CapacityUnits?: number }>) {
          current.writeCapacityUnits += c.WriteCapacityUnits ?? (/Get|Query|Scan/.test(operation) ? 0 : c.CapacityUnits ?? 0);
          current.readCapacityUnits += c.ReadCapacityUnits ?? (/Get|Query|Scan/.test(operation) ? c.CapacityUnits ?? 0 : 0);
        }
        return out;
      } catch (err) {
        const name = (err as Error).name;
        const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
        if (name === 'ConditionalCheckFailedException' || (name === 'TransactionCanceledException' && reasons?.some((r) => r.Code === 'ConditionalCheckFailed'))) current.conditionFailed++;
        throw err;
      }
    },
    { step: 'initialize', name: 'benchCountRequests' },
  );
}

interface Consumer {
  name: string;
  module: string;
  tables: Record<string, string>;
  /** The events, and what to put in place before they arrive (not counted). */
  events: (run: string) => Promise<Array<{ key: string; value: Buffer }>>;
}

const perEvent = (c: Counts, events: number) => ({
  requestsPerEvent: Number((c.total / events).toFixed(3)),
  writeCapacityUnitsPerEvent: Number((c.writeCapacityUnits / events).toFixed(3)),
  readCapacityUnitsPerEvent: Number((c.readCapacityUnits / events).toFixed(3)),
  awsRuleWriteCapacityUnitsPerEvent: Number((c.awsRuleWriteCapacityUnits / events).toFixed(3)),
  conditionFailedPerEvent: Number((c.conditionFailed / events).toFixed(3)),
  requests: c.requests,
});

async function main(): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set (run through `npm run bench`, or start `msk-pipelines services`)');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_LOG_LEVEL: 'ERROR', REPORT_BATCH_ITEM_FAILURES: 'true',
  });
  const run = `rpe${Date.now().toString(36)}`;
  const tableNames = {
    IDEMPOTENCY_TABLE: [`${run}-idempotency`, 'id'], REWARDS_TABLE: [`${run}-rewards`, 'postId'], BALANCES_TABLE: [`${run}-balances`, 'userId'],
    PINNED_POSTS_TABLE: [`${run}-pinned`, 'postId'], USER_STATISTICS_TABLE: [`${run}-stats`, 'userId'], ORDERS_TABLE: [`${run}-orders`, 'orderNumber'],
  } as const;
  // The handlers read their tables from the environment when they load: set it before importing them.
  for (const [variable, [table]] of Object.entries(tableNames)) process.env[variable] = table;

  for (const [table, key] of Object.values(tableNames)) {
    await getDynamoClient().send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
    }));
  }
  countRequests(getDynamoClient());

  const posts = async (label: string) =>
    Array.from({ length: EVENTS }, (_, i) => {
      const post = parsePost({ postId: `${run}-${label}-${i}`, authorId: `author-${i % 7}`, title: `post ${i}` }, new Date('2026-11-30T08:00:00Z'));
      return { key: post.postId, value: encodeEvent(postPublishedEvent(post, 'urn:bench:posts')) };
    });
  const consumers: Consumer[] = [
    { name: 'recruitment', module: '../lambdas/examples/post-recruitment', tables: { REWARDS_TABLE: '', BALANCES_TABLE: '' }, events: () => posts('recruitment') },
    { name: 'real-estate', module: '../lambdas/examples/post-real-estate', tables: { PINNED_POSTS_TABLE: '' }, events: () => posts('real-estate') },
    { name: 'second-hand', module: '../lambdas/examples/post-second-hand', tables: { USER_STATISTICS_TABLE: '' }, events: () => posts('second-hand') },
    {
      name: 'payment-result',
      module: '../lambdas/examples/payment-result',
      tables: { ORDERS_TABLE: '' },
      events: async () => {
        const now = new Date();
        const out: Array<{ key: string; value: Buffer }> = [];
        for (let i = 0; i < EVENTS; i++) {
          const orderNumber = `ORD-${run}-${i}`;
          await createOrder(getDocumentClient(), tableNames.ORDERS_TABLE[0], { orderNumber, status: 'PENDING', amount: 100, description: 'bench', createdAt: now.toISOString(), deadline: new Date(now.getTime() + 3600_000).toISOString() });
          const result = createEvent({ type: 'payment.succeeded', source: 'urn:bench:gateway', subject: orderNumber, data: { provider: 'wechat', correlationId: orderNumber, notificationId: `n-${i}`, payload: { transaction: { transaction_id: `tx-${i}` } } } });
          out.push({ key: orderNumber, value: encodeEvent(result) });
        }
        return out;
      },
    },
    { name: 'audit-log', module: '../lambdas/examples/audit-log', tables: {}, events: () => posts('audit') },
  ];

  const results: Record<string, unknown> = {};
  for (const consumer of consumers) {
    // Each consumer's idempotency records apart, as its own service name does in the app.
    process.env.POWERTOOLS_SERVICE_NAME = consumer.name;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after its environment is set
    const { handler } = require(consumer.module) as { handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: unknown[] }> };
    const events = await consumer.events(run);
    const deliver = async () => {
      const failures: unknown[] = [];
      for (let i = 0; i < events.length; i += BATCH) {
        const batch = mskEvent(events.slice(i, i + BATCH).map((e, j) => ({ topic: 'bench', partition: 0, offset: i + j, key: e.key, value: e.value })));
        const deadline = Date.now() + 60_000;
        failures.push(...(await handler(batch, { getRemainingTimeInMillis: () => deadline - Date.now() })).batchItemFailures);
      }
      if (failures.length > 0) throw new Error(`${consumer.name}: ${failures.length} records not done`);
    };
    current = counts();
    await deliver();
    const first = perEvent(current, events.length);
    current = counts();
    await deliver();
    const again = perEvent(current, events.length);
    results[consumer.name] = { events: events.length, firstDelivery: first, redelivery: again };
    process.stderr.write(`[requests-per-event] ${consumer.name}: ${first.requestsPerEvent} requests, ${first.writeCapacityUnitsPerEvent} WCU reported, ${first.awsRuleWriteCapacityUnitsPerEvent} WCU by AWS's rule per event (redelivered: ${again.requestsPerEvent} requests) ${JSON.stringify(first.requests)}\n`);
  }
  // The same benchmark run on the code before one write per event (saved with its commit).
  const beforeFile = path.join(__dirname, 'baselines', 'requests-per-event.before.json');
  const before = fs.existsSync(beforeFile) ? JSON.parse(fs.readFileSync(beforeFile, 'utf8')) : undefined;
  const out = { date: new Date().toISOString(), eventsPerConsumer: EVENTS, batchSize: BATCH, consumers: results, before };
  const file = path.join(__dirname, 'results', 'requests-per-event.json');
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
