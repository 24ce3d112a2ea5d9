import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { required } from '../../runtime/env';
import { PAYMENT_ENV_WRITER, PaymentEnv } from '../contracts/payment-env';
import { flagOverdue } from '../payment-order/orders';

/**
 * Scheduled: orders still PENDING past their deadline (no callback arrived) are flagged
 * NEEDS_STATUS_QUERY, for a status query to the provider.
 */
export async function handler(): Promise<{ flagged: string[] }> {
  const flagged = await flagOverdue(getDocumentClient(), required(process.env, PaymentEnv.ORDERS_TABLE, PAYMENT_ENV_WRITER), new Date());
  if (flagged.length > 0) logger.warn('orders past their payment deadline', { flagged });
  return { flagged };
}
