import { logger } from '../../runtime/logger';
import { required } from '../../runtime/env';
import { loadSecretString } from '../../runtime/secrets';
import { PAYMENT_ENV_WRITER, PaymentEnv } from '../contracts/payment-env';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { buildWechatPayNotification } from '../../runtime/gateway/verifiers';
import type { CallbackDue } from '../payment-provider';

/** The simulated provider's keys: `{"privateKey": "<PEM>", "serial": "...", "apiV3Key": "<32 bytes>"}`. */
interface ProviderKeys { privateKey: string; serial: string; apiV3Key: string }

let keys: Promise<ProviderKeys> | undefined;

function providerKeys(): Promise<ProviderKeys> {
  if (!keys) {
    keys = loadSecretString(required(process.env, PaymentEnv.PROVIDER_SECRET_ARN, PAYMENT_ENV_WRITER))
      .then((s) => JSON.parse(s) as ProviderKeys);
    keys.catch(() => { keys = undefined; });
  }
  return keys;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The simulated provider's notifier: at `dueAt`, sends the signed, encrypted WeChat Pay v3
 * notification to the notify URL. A non-2xx answer throws, so the record is retried like
 * WeChat Pay retries; the notification id stays the same across retries.
 */
export const handler = kafkaRecordHandler<CallbackDue>(async (event) => {
  const due = event.data;
  const wait = new Date(due.dueAt).getTime() - Date.now();
  if (wait > 0) await sleep(Math.min(wait, 10_000));
  const { privateKey, serial, apiV3Key } = await providerKeys();
  const notification = buildWechatPayNotification({
    transaction: due.transaction, privateKey, serial, apiV3Key, notificationId: `notify-${String(due.transaction.transaction_id)}`,
  });
  const response = await fetch(due.notifyUrl, {
    method: 'POST', headers: notification.headers, body: notification.body, signal: AbortSignal.timeout(5000),
  });
  const answer = await response.text();
  if (response.status !== 200 && response.status !== 204) {
    keys = undefined; // maybe rotated
    throw new Error(`notify URL answered ${response.status}: ${answer.slice(0, 200)}`);
  }
  logger.info('payment notification delivered', { outTradeNo: due.transaction.out_trade_no, status: response.status });
});
