import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { updateOncePerEvent } from '../../runtime/update-once-per-event';

/**
 * The orders table of the payment example: partition key `orderNumber`, GSI `byStatus`
 * (`status`, `deadline`) so the overdue checker queries PENDING orders past their deadline.
 * Status moves PENDING → PAID | FAILED | NEEDS_STATUS_QUERY, and NEEDS_STATUS_QUERY → PAID | FAILED;
 * every transition is a conditional write, so a repeated result changes nothing.
 */
export type OrderStatus = 'PENDING' | 'PAID' | 'FAILED' | 'NEEDS_STATUS_QUERY';

export interface Order {
  readonly orderNumber: string;
  readonly status: OrderStatus;
  readonly amount: number;
  readonly description: string;
  readonly createdAt: string;
  /** ISO time after which a still-PENDING order needs a status query. */
  readonly deadline: string;
  readonly transactionId?: string;
  readonly resultEventId?: string;
}

export const STATUS_INDEX = 'byStatus';

/** What the payment provider is asked for (a WeChat Pay v3 JSAPI order). */
export interface PaymentRequest {
  readonly description: string;
  readonly out_trade_no: string;
  readonly notify_url: string;
  readonly amount: { readonly total: number; readonly currency: 'CNY' };
  readonly time_expire: string;
}

/** What placing an order needs from outside: the clock, the store and the provider. */
export interface PlaceOrderDeps {
  /** The current time. */
  readonly now: Date;
  /** Random hex for the order number. */
  readonly random: string;
  /** How long the order may stay PENDING. */
  readonly deadlineSeconds: number;
  /** The gateway's notify URL, handed to the provider. */
  readonly notifyUrl: string;
  /** Records a new order (conditional put). */
  readonly createOrder: (order: Order) => Promise<void>;
  /** Asks the provider to start the payment; resolves with its prepay id, rejects when it does not accept. */
  readonly requestPayment: (request: PaymentRequest) => Promise<{ prepayId?: string }>;
}

/** The outcome of `placeOrder`: the caller maps it to an answer. */
export type PlaceOrderOutcome =
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'requested'; readonly order: Order; readonly prepayId?: string }
  | { readonly kind: 'provider-failed'; readonly order: Order; readonly error: unknown };

/**
 * Checks the input, records a PENDING order with a deadline and asks the provider to start the
 * payment. The provider accepts at once and calls the notify URL later; if the call fails the
 * order stays PENDING and the overdue checker flags it for a status query at its deadline.
 */
export async function placeOrder(input: { amount?: unknown; description?: unknown }, deps: PlaceOrderDeps): Promise<PlaceOrderOutcome> {
  if (!Number.isInteger(input.amount) || (input.amount as number) < 1) {
    return { kind: 'invalid', message: `amount must be a positive integer (fen), got ${JSON.stringify(input.amount)}` };
  }
  const { now } = deps;
  const order: Order = {
    orderNumber: newOrderNumber(now, deps.random),
    status: 'PENDING',
    amount: input.amount as number,
    description: typeof input.description === 'string' ? input.description.slice(0, 127) : 'order',
    createdAt: now.toISOString(),
    deadline: new Date(now.getTime() + deps.deadlineSeconds * 1000).toISOString(),
  };
  await deps.createOrder(order);
  try {
    const { prepayId } = await deps.requestPayment({
      description: order.description,
      out_trade_no: order.orderNumber,
      notify_url: deps.notifyUrl,
      amount: { total: order.amount, currency: 'CNY' },
      time_expire: order.deadline,
    });
    return { kind: 'requested', order, prepayId };
  } catch (error) {
    return { kind: 'provider-failed', order, error };
  }
}

/** `ORD-20261124080000-ab12cd`: the correlation id the gateway's results are keyed and filtered by. */
export function newOrderNumber(now: Date, random: string): string {
  return `ORD-${now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)}-${random}`;
}

export async function createOrder(client: DynamoDBDocumentClient, table: string, order: Order): Promise<void> {
  await client.send(new PutCommand({ TableName: table, Item: order, ConditionExpression: 'attribute_not_exists(orderNumber)' }));
}

/**
 * Applies a payment result once per result event and once per order, in one request: the
 * status transition is conditional on the order not being final yet and on the result event
 * not having been applied to it. 'unchanged' when the order already has a final status (another
 * result), 'duplicate' when this result was applied before.
 */
export async function applyResult(
  client: DynamoDBDocumentClient,
  table: string,
  orderNumber: string,
  result: { paid: boolean; transactionId?: string; eventId: string; at: Date },
): Promise<'updated' | 'unchanged' | 'duplicate'> {
  const outcome = await updateOncePerEvent({ id: result.eventId }, {
    TableName: table,
    Key: { orderNumber },
    UpdateExpression: 'SET #status = :status, transactionId = :tx, resultEventId = :event, settledAt = :at',
    ConditionExpression: 'attribute_exists(orderNumber) AND #status IN (:pending, :query)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':status': result.paid ? 'PAID' : 'FAILED', ':tx': result.transactionId ?? null, ':event': result.eventId,
      ':at': result.at.toISOString(), ':pending': 'PENDING', ':query': 'NEEDS_STATUS_QUERY',
    },
  }, { client });
  return outcome === 'applied' ? 'updated' : outcome === 'duplicate' ? 'duplicate' : 'unchanged';
}

/** Flags every PENDING order whose deadline has passed; returns the flagged order numbers. */
export async function flagOverdue(client: DynamoDBDocumentClient, table: string, now: Date): Promise<string[]> {
  const flagged: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({
      TableName: table,
      IndexName: STATUS_INDEX,
      KeyConditionExpression: '#status = :pending AND deadline < :now',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'PENDING', ':now': now.toISOString() },
      ExclusiveStartKey: startKey,
    }));
    for (const item of page.Items ?? []) {
      try {
        await client.send(new UpdateCommand({
          TableName: table,
          Key: { orderNumber: item.orderNumber },
          UpdateExpression: 'SET #status = :query, flaggedAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':query': 'NEEDS_STATUS_QUERY', ':pending': 'PENDING', ':at': now.toISOString() },
        }));
        flagged.push(String(item.orderNumber));
      } catch (err) {
        // Paid between the query and the update: nothing to flag.
        if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return flagged;
}
