import { placeOrder, type Order, type PaymentRequest, type PlaceOrderDeps } from '../../lambdas/examples/payment-order/orders';

/** In-memory store and provider: placeOrder is logic only. */
function fakes(provider: (r: PaymentRequest) => Promise<{ prepayId?: string }>) {
  const orders: Order[] = [];
  const requests: PaymentRequest[] = [];
  const deps: PlaceOrderDeps = {
    now: new Date('2026-11-24T08:00:00.000Z'),
    random: 'ab12cd',
    deadlineSeconds: 900,
    notifyUrl: 'https://gw.example/callbacks/wechat-pay',
    createOrder: async (o) => { orders.push(o); },
    requestPayment: async (r) => { requests.push(r); return provider(r); },
  };
  return { deps, orders, requests };
}

describe('placeOrder (lambdas/examples/payment-order/orders.ts)', () => {
  test('GIVEN a valid amount WHEN the provider accepts THEN a PENDING order with its deadline is stored and the provider gets the notify URL', async () => {
    const { deps, orders, requests } = fakes(async () => ({ prepayId: 'wx1' }));
    const outcome = await placeOrder({ amount: 100, description: 'tea' }, deps);
    const order: Order = {
      orderNumber: 'ORD-20261124080000-ab12cd', status: 'PENDING', amount: 100, description: 'tea',
      createdAt: '2026-11-24T08:00:00.000Z', deadline: '2026-11-24T08:15:00.000Z',
    };
    expect(outcome).toEqual({ kind: 'requested', order, prepayId: 'wx1' });
    expect(orders).toEqual([order]);
    expect(requests).toEqual([{
      description: 'tea', out_trade_no: order.orderNumber, notify_url: 'https://gw.example/callbacks/wechat-pay',
      amount: { total: 100, currency: 'CNY' }, time_expire: order.deadline,
    }]);
  });

  test('GIVEN a bad amount THEN nothing is stored and the message names the field and the value', async () => {
    const { deps, orders, requests } = fakes(async () => ({}));
    expect(await placeOrder({ amount: 0 }, deps)).toEqual({ kind: 'invalid', message: 'amount must be a positive integer (fen), got 0' });
    expect(orders).toEqual([]);
    expect(requests).toEqual([]);
  });

  test('GIVEN the provider refuses THEN the order stays stored as PENDING and the error is kept', async () => {
    const refused = new Error('provider answered 500');
    const { deps, orders } = fakes(async () => { throw refused; });
    const outcome = await placeOrder({ amount: 5 }, deps);
    expect(outcome).toMatchObject({ kind: 'provider-failed', error: refused, order: { status: 'PENDING', description: 'order' } });
    expect(orders).toHaveLength(1);
  });
});
