import type { PaymentResultData } from '../../runtime/gateway/handle-callback';
import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { required } from '../../runtime/env';
import { PAYMENT_ENV_WRITER, PaymentEnv } from '../contracts/payment-env';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { applyResult } from '../payment-order/orders';

interface WechatPayload { transaction?: { transaction_id?: string } }

/**
 * The caller's result consumer: receives only its own results (the mapping filters on the
 * `ORD-` subject prefix) and settles the order in one request, once per result event (the
 * order remembers the results applied to it) and once per order (the status transition is
 * conditional), so a repeated or a second result changes nothing.
 */
export const handler = kafkaRecordHandler<PaymentResultData>(async (event) => {
  const orderNumber = event.subject;
  if (!orderNumber) throw new Error(`result ${event.id} has no subject (order number)`);
  const payload = event.data.payload as WechatPayload | undefined;
  const outcome = await applyResult(getDocumentClient(), required(process.env, PaymentEnv.ORDERS_TABLE, PAYMENT_ENV_WRITER), orderNumber, {
    paid: event.type === 'payment.succeeded',
    transactionId: payload?.transaction?.transaction_id,
    eventId: event.id,
    at: new Date(),
  });
  logger.info('payment result applied', { orderNumber, type: event.type, eventId: event.id, outcome });
});
