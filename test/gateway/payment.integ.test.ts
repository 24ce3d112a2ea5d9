import * as fs from 'fs';
import { randomBytes } from 'node:crypto';
import { Duration, Stack } from 'aws-cdk-lib';
import { Kafka } from 'kafkajs';
import { KafkaCluster } from '../../lib/cluster';
import { Emulator } from '../../lib/local/emulator';
import { apiUrlFor, provisionPaymentKeys, runPaymentScenario, waitForOrder, type PaymentKeys } from '../../lib/local/scenarios/payment';
import { CallbackGatewayStack, PaymentStack } from '../../lib/examples/payment-stack';
import { wechatPayHeaders, wechatPayNotification } from '../support/provider-senders';
import { kafkaClient, serviceEndpoints, uniqueName } from '../support/services';
import { readTopic } from '../support/topic-reader';
import { synthToDir } from '../support/synth';
import { signedPost } from '../../lib/local/scenarios/signed-post';

/**
 * The payment path end to end in local mode, through the HTTP routes: order → simulated
 * provider → signed, encrypted callback → gateway → results topic → the caller's result
 * consumer → order PAID. Then replays and bad callbacks straight at the gateway.
 */
describe('callback gateway: payment end to end (local mode)', () => {
  const id = uniqueName('pay').replace(/[^A-Za-z0-9]/g, '');
  const resultsTopic = `${id}.payments.results`;
  let dir: string;
  let emulator: Emulator;
  let kafka: Kafka;
  let keys: PaymentKeys;
  let notifyUrl: string;
  const logs: string[] = [];

  beforeAll(async () => {
    // GIVEN the gateway stack and the payment example, synthesized and run by the emulator
    dir = synthToDir((app) => {
      // As the example app builds it with the simulated provider: one NAT gateway, through which
      // the notifier (in the cluster's subnets) reaches the gateway's public URL.
      const cluster = new KafkaCluster(new Stack(app, `${id}Foundation`), 'Cluster', { natGateways: 1 });
      const gw = new CallbackGatewayStack(app, `${id}Gateway`, { cluster, resultsTopicName: resultsTopic });
      new PaymentStack(app, `${id}Payment`, {
        cluster, gateway: gw.gateway, callbackTopicName: `${id}.provider.callbacks`, simulatedProvider: true,
        paymentDeadline: Duration.seconds(3), callbackDelay: Duration.millis(200),
      });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: (l) => logs.push(l) });
    // AND a key pair generated for the run, put into the secret stand-in before any request
    keys = provisionPaymentKeys(emulator);
    notifyUrl = `${apiUrlFor(emulator, 'POST /callbacks/{provider}')}/callbacks/wechat-pay`;
    kafka = kafkaClient();
  }, 240000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Every result event on the results topic so far. */
  const resultEvents = () => readTopic(kafka, resultsTopic);

  async function placeSilentOrder(): Promise<string> {
    const res = await signedPost(`${apiUrlFor(emulator, 'POST /orders')}/orders`, { amount: 100, description: 'simulate:silent' });
    expect(res.status).toBe(201);
    return ((await res.json()) as { orderNumber: string }).orderNumber;
  }

  function notification(orderNumber: string, overrides: Partial<Parameters<typeof wechatPayNotification>[0]> = {}) {
    return wechatPayNotification({
      transaction: { out_trade_no: orderNumber, transaction_id: `tx-${orderNumber}`, trade_state: 'SUCCESS', amount: { total: 100 } },
      privateKey: keys.privateKeyPem, serial: keys.serial, apiV3Key: keys.apiV3Key, ...overrides,
    });
  }

  const post = (headers: Record<string, string>, body: string, url = notifyUrl, method = 'POST') =>
    fetch(url, { method, headers, body: method === 'GET' ? undefined : body });

  test('GIVEN an order WHEN the simulated provider calls back THEN the result consumer marks it PAID', async () => {
    const result = await runPaymentScenario(emulator, { keys, timeoutMs: 90000 });
    expect(result.status).toBe('PAID');
    expect(result.transactionId).toMatch(/^42/);
    const events = (await resultEvents()).filter((e) => e.subject === result.orderNumber);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'payment.succeeded', key: result.orderNumber });
  }, 120000);

  test('GIVEN a notification delivered three times THEN each answer is 204 and one result event is published', async () => {
    const orderNumber = await placeSilentOrder();
    const { headers, body } = notification(orderNumber, { notificationId: `replay-${id}` });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(headers, body)).status);
    expect(statuses).toEqual([204, 204, 204]);
    await waitForOrder(emulator, orderNumber, (o) => o.status === 'PAID', 60000);
    const events = (await resultEvents()).filter((e) => e.subject === orderNumber);
    expect(events.map((e) => e.id)).toEqual([`wechat-pay:replay-${id}`]);
  }, 90000);

  test('GIVEN bad callbacks THEN each gets its status with a WeChat Pay FAIL body, and nothing is published', async () => {
    const bad = (n: number) => `ORD-BAD-${id}-${n}`;
    const good = (n: number) => notification(bad(n));
    const resigned = (n: number, mutate: (b: any) => void) => {
      const parsed = JSON.parse(good(n).body);
      mutate(parsed);
      const body = JSON.stringify(parsed);
      return { headers: wechatPayHeaders(body, { privateKey: keys.privateKeyPem, serial: keys.serial }), body };
    };
    const tampered = resigned(7, (b) => {
      const bytes = Buffer.from(b.resource.ciphertext, 'base64');
      bytes[3] ^= 0xff;
      b.resource.ciphertext = bytes.toString('base64');
    });
    const malformed = '{"id": "x", "resource": ';
    // One at a time: each answer is checked on its own, and a loaded machine does not time out cold starts.
    const cases: Array<[string, () => Promise<Response>, number]> = [
      ['bad signature', () => { const g = good(1); return post({ ...g.headers, 'wechatpay-signature': randomBytes(256).toString('base64') }, g.body); }, 401],
      ['unknown serial', () => { const g = good(2); return post({ ...g.headers, 'wechatpay-serial': 'UNKNOWN' }, g.body); }, 401],
      ['stale timestamp', () => { const g = notification(bad(3), { timestamp: new Date(Date.now() - 301_000) }); return post(g.headers, g.body); }, 401],
      ['malformed JSON', () => post(wechatPayHeaders(malformed, { privateKey: keys.privateKeyPem, serial: keys.serial }), malformed), 400],
      ['missing headers', () => post({ 'content-type': 'application/json' }, good(5).body), 400],
      ['too large', () => post(good(6).headers, JSON.stringify({ ...JSON.parse(good(6).body), padding: 'x'.repeat(70 * 1024) })), 413],
      ['tampered ciphertext', () => post(tampered.headers, tampered.body), 401],
      ['SM2/SM3 declared on an RSA signature', () => { const g = notification(bad(10), { signatureType: 'WECHATPAY2-SM2-WITH-SM3' }); return post(g.headers, g.body); }, 400],
      ['wrong method', () => post(good(8).headers, '', notifyUrl, 'GET'), 405],
      ['unknown provider', () => post(good(9).headers, good(9).body, notifyUrl.replace('wechat-pay', 'nope')), 404],
    ];
    for (const [name, send, status] of cases) {
      const res = await send();
      expect({ name, status: res.status }).toEqual({ name, status });
      if (status !== 404 && status !== 405) expect(JSON.parse(await res.text())).toMatchObject({ code: 'FAIL' });
    }
    const published = (await resultEvents()).filter((e) => e.subject.startsWith(`ORD-BAD-${id}`));
    expect(published).toEqual([]);
  }, 90000);

  test('GIVEN an order that gets no callback WHEN the overdue checker runs after the deadline THEN it is flagged NEEDS_STATUS_QUERY', async () => {
    const orderNumber = await placeSilentOrder();
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const schedule = emulator.schedules.find((s) => /OverdueSchedule/.test(s.logicalId))!;
    const run = await emulator.triggerSchedule(schedule.logicalId);
    expect(run.outcome).toBe('succeeded');
    expect((run.result as { flagged: string[] }).flagged).toContain(orderNumber);
    await waitForOrder(emulator, orderNumber, (o) => o.status === 'NEEDS_STATUS_QUERY', 5000);
  }, 30000);
});
