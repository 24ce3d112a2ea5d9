import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getDocumentClient } from '../../runtime/dynamo';
import { integer, required } from '../../runtime/env';
import { bodyText, json } from '../../runtime/http';
import { logger } from '../../runtime/logger';
import { signedFetch } from '../../runtime/signed-fetch';
import { PAYMENT_ENV_WRITER, PaymentEnv } from '../contracts/payment-env';
import { createOrder, placeOrder, type PaymentRequest } from './orders';

/**
 * `POST /orders` {"amount": <fen>, "description"?}: records a PENDING order with a deadline and
 * asks the payment provider (PROVIDER_URL) to start the payment, handing it the gateway's
 * notify URL (NOTIFY_URL). The result arrives later through the gateway and the results topic.
 * The handler decodes, calls `placeOrder` and maps its outcome to an answer.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let input: { amount?: unknown; description?: unknown };
  try {
    input = JSON.parse(bodyText(event.body, event.isBase64Encoded) || '{}');
  } catch {
    return json(400, { message: 'body is not JSON' });
  }
  const env = process.env;
  const table = required(env, PaymentEnv.ORDERS_TABLE, PAYMENT_ENV_WRITER);
  const providerUrl = required(env, PaymentEnv.PROVIDER_URL, PAYMENT_ENV_WRITER);
  const outcome = await placeOrder(input, {
    now: new Date(),
    random: randomBytes(3).toString('hex'),
    deadlineSeconds: integer(env, PaymentEnv.PAYMENT_DEADLINE_SECONDS, 900, 1),
    notifyUrl: required(env, PaymentEnv.NOTIFY_URL, PAYMENT_ENV_WRITER),
    createOrder: (order) => createOrder(getDocumentClient(), table, order),
    requestPayment: (request) => requestPayment(providerUrl, request),
  });
  switch (outcome.kind) {
    case 'invalid':
      return json(400, { message: outcome.message });
    case 'requested': {
      const { order, prepayId } = outcome;
      logger.info('payment requested', { orderNumber: order.orderNumber, prepayId });
      return json(201, { orderNumber: order.orderNumber, status: order.status, deadline: order.deadline, prepayId });
    }
    case 'provider-failed': {
      const { order } = outcome;
      logger.error('provider call failed', { orderNumber: order.orderNumber, error: outcome.error as Error });
      return json(502, { orderNumber: order.orderNumber, status: order.status, message: 'the payment provider did not accept the payment' });
    }
  }
}

/** The simulated provider's route takes IAM authorization: the call is signed with the function's role. */
async function requestPayment(providerUrl: string, request: PaymentRequest): Promise<{ prepayId?: string }> {
  const response = await signedFetch(providerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(5000),
  });
  const accepted = (await response.json().catch(() => ({}))) as { prepay_id?: string };
  if (!response.ok) throw new Error(`provider answered ${response.status}`);
  return { prepayId: accepted.prepay_id };
}
