import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createEvent } from '../../runtime/cloudevents';
import { integer, required } from '../../runtime/env';
import { bodyText, json } from '../../runtime/http';
import { publish } from '../../runtime/producer';
import { PAYMENT_ENV_WRITER, PaymentEnv } from '../contracts/payment-env';

/** What the provider will send back later (the notifier reads it from the provider's own topic). */
export interface CallbackDue {
  readonly notifyUrl: string;
  /** ISO time the callback is sent at. */
  readonly dueAt: string;
  readonly transaction: Record<string, unknown>;
}

/**
 * A simulated WeChat Pay `POST /v3/pay/transactions/jsapi`: accepts the payment at once
 * (`{prepay_id}`) and schedules the result notification on its own topic, which the
 * notifier sends after CALLBACK_DELAY_MS to the gateway's notify URL (NOTIFY_URL). The request's
 * `notify_url` must be that URL: a simulator that posted signed requests to any caller-given URL
 * would be an open relay. A `description` containing
 * "simulate:fail" produces trade_state PAYERROR; "simulate:silent" sends no callback at all.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let input: { out_trade_no?: unknown; notify_url?: unknown; description?: unknown; amount?: { total?: unknown } };
  try {
    input = JSON.parse(bodyText(event.body, event.isBase64Encoded));
  } catch {
    return json(400, { code: 'PARAM_ERROR', message: 'body is not JSON' });
  }
  const { out_trade_no: outTradeNo, notify_url: notifyUrl } = input;
  if (typeof outTradeNo !== 'string' || typeof notifyUrl !== 'string' || !Number.isInteger(input.amount?.total)) {
    return json(400, { code: 'PARAM_ERROR', message: 'out_trade_no, notify_url and amount.total are required' });
  }
  const gatewayUrl = required(process.env, PaymentEnv.NOTIFY_URL, PAYMENT_ENV_WRITER);
  if (notifyUrl !== gatewayUrl) {
    return json(400, { code: 'PARAM_ERROR', message: `notify_url must be the gateway's notify URL ${gatewayUrl}, got ${JSON.stringify(notifyUrl.slice(0, 200))}` });
  }
  const description = typeof input.description === 'string' ? input.description : '';
  const prepayId = `wx${Date.now()}${randomBytes(6).toString('hex')}`;
  if (!description.includes('simulate:silent')) {
    const failed = description.includes('simulate:fail');
    const now = new Date();
    const due: CallbackDue = {
      notifyUrl: gatewayUrl,
      dueAt: new Date(now.getTime() + integer(process.env, PaymentEnv.CALLBACK_DELAY_MS, 1000)).toISOString(),
      transaction: {
        mchid: '1900000001',
        appid: 'wxsimulated',
        out_trade_no: outTradeNo,
        transaction_id: `42${Date.now()}${randomBytes(4).toString('hex')}`,
        trade_type: 'JSAPI',
        trade_state: failed ? 'PAYERROR' : 'SUCCESS',
        trade_state_desc: failed ? 'payment failed (simulated)' : 'payment succeeded (simulated)',
        success_time: failed ? undefined : now.toISOString(),
        amount: { total: input.amount!.total, payer_total: input.amount!.total, currency: 'CNY', payer_currency: 'CNY' },
      },
    };
    await publish(required(process.env, PaymentEnv.CALLBACK_TOPIC, PAYMENT_ENV_WRITER), createEvent({
      type: 'provider.callback.scheduled', source: 'simulated-provider', subject: outTradeNo, data: due,
    }), { key: outTradeNo });
  }
  return json(200, { prepay_id: prepayId });
}
