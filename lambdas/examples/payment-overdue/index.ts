import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { flagOverdue } from '../payment-order/orders';

/**
 * Scheduled: orders still PENDING past their deadline (no callback arrived) are flagged
 * NEEDS_STATUS_QUERY, for a status query to the provider.
 */
export async function handler(): Promise<{ flagged: string[] }> {
  const flagged = await flagOverdue(getDocumentClient(), process.env.ORDERS_TABLE!, new Date());
  if (flagged.length > 0) logger.warn('orders past their payment deadline', { flagged });
  return { flagged };
}
