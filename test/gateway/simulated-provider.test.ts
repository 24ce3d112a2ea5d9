import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handler } from '../../lambdas/examples/payment-provider';

/** The simulated provider is no relay: it notifies the gateway's own URL and refuses any other. */
describe('simulated provider notify URL', () => {
  const gateway = 'https://abc123.execute-api.eu-west-1.amazonaws.com/callbacks/wechat-pay';
  beforeAll(() => { process.env.NOTIFY_URL = gateway; });
  afterAll(() => { delete process.env.NOTIFY_URL; });
  const request = (notifyUrl: string) => ({ body: JSON.stringify({ out_trade_no: 'ORD-1', notify_url: notifyUrl, amount: { total: 1 } }) }) as APIGatewayProxyEventV2;

  test('GIVEN a caller-supplied notify_url elsewhere WHEN an order is placed THEN 400 naming the only URL it notifies, and nothing is scheduled', async () => {
    // WHEN
    const res = await handler(request('http://169.254.169.254/latest/meta-data/'));
    // THEN (no broker is configured here: a scheduled callback would have failed the call)
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body!)).toEqual({ code: 'PARAM_ERROR', message: `notify_url must be the gateway's notify URL ${gateway}, got "http://169.254.169.254/latest/meta-data/"` });
  });
});
