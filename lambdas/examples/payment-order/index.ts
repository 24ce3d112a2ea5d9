import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { signedFetch } from '../../runtime/signed-fetch';
import { createOrder, newOrderNumber, type Order } from './orders';

/**
 * `POST /orders` {"amount": <fen>, "description"?}: records a PENDING order with a deadline and
 * asks the payment provider (PROVIDER_URL) to start the payment, handing it the gateway's
 * notify URL (NOTIFY_URL). The result arrives later through the gateway and the results topic.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let input: { amount?: unknown; description?: unknown };
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body ?? '';
    input = JSON.parse(raw || '{}');
  } catch {
    return json(400, { message: 'body is not JSON' });
  }
  if (!Number.isInteger(input.amount) || (input.amount as number) < 1) {
    return json(400, { message: `amount must be a positive integer (fen), got ${JSON.stringify(input.amount)}` });
  }
  const now = new Date();
  const deadlineSeconds = Number(process.env.PAYMENT_DEADLINE_SECONDS ?? 900);
  const order: Order = {
    orderNumber: newOrderNumber(now, randomBytes(3).toString('hex')),
    status: 'PENDING',
    amount: input.amount as number,
    description: typeof input.description === 'string' ? input.description.slice(0, 127) : 'order',
    createdAt: now.toISOString(),
    deadline: new Date(now.getTime() + deadlineSeconds * 1000).toISOString(),
  };
  await createOrder(getDocumentClient(), env('ORDERS_TABLE'), order);

  // The provider accepts at once and calls the notify URL later; if this call fails the order
  // stays PENDING and the overdue checker flags it for a status query at its deadline.
  try {
    // The simulated provider's route takes IAM authorization: the call is signed with the function's role.
    const response = await signedFetch(env('PROVIDER_URL'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        description: order.description,
        out_trade_no: order.orderNumber,
        notify_url: env('NOTIFY_URL'),
        amount: { total: order.amount, currency: 'CNY' },
        time_expire: order.deadline,
      }),
      signal: AbortSignal.timeout(5000),
    });
    const accepted = (await response.json().catch(() => ({}))) as { prepay_id?: string };
    if (!response.ok) throw new Error(`provider answered ${response.status}`);
    logger.info('payment requested', { orderNumber: order.orderNumber, prepayId: accepted.prepay_id });
    return json(201, { orderNumber: order.orderNumber, status: order.status, deadline: order.deadline, prepayId: accepted.prepay_id });
  } catch (err) {
    logger.error('provider call failed', { orderNumber: order.orderNumber, error: err as Error });
    return json(502, { orderNumber: order.orderNumber, status: order.status, message: 'the payment provider did not accept the payment' });
  }
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`env ${name} is not set`);
  return value;
}
