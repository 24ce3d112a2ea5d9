import * as fs from 'fs';
import { Duration, Stack } from 'aws-cdk-lib';
import type { Kafka } from 'kafkajs';
import { KafkaCluster } from '../../lib/cluster';
import { CallbackGateway, GatewayProvider } from '../../lib/gateway';
import { Emulator } from '../../lib/local/emulator';
import { apiUrlFor } from '../../lib/local/scenarios/payment';
import { KafkaTopic } from '../../lib/topic';
import { alipayNotification, rsaKeys, standardWebhookHeaders, standardWebhookSecret, stripeSignature } from '../support/provider-senders';
import { kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { readTopic } from '../support/topic-reader';

/**
 * The new providers end to end in local mode: the synthesized gateway runs in the emulator
 * (worker-thread function, its template's environment, the Secrets Manager stand-in, real Kafka
 * and DynamoDB Local); each provider's callback is sent over HTTP as its sender would, and the
 * results topic is read back.
 */
describe('callback gateway: Stripe, Standard Webhooks and Alipay (local mode)', () => {
  const id = uniqueName('gwp').replace(/[^A-Za-z0-9]/g, '');
  const resultsTopic = `${id}.results`;
  const stripeSecret = 'whsec_local_stripe_endpoint';
  const svixSecret = standardWebhookSecret();
  const alipay = rsaKeys();
  let dir: string;
  let emulator: Emulator;
  let kafka: Kafka;
  let base: string;

  beforeAll(async () => {
    // GIVEN a gateway with the three providers, synthesized and run by the emulator
    dir = synthToDir((app) => {
      const cluster = new KafkaCluster(new Stack(app, `${id}Foundation`), 'Cluster');
      const stack = new Stack(app, `${id}Gateway`);
      new CallbackGateway(stack, 'Gateway', {
        cluster,
        resultsTopic: new KafkaTopic(stack, 'Results', { cluster, topicName: resultsTopic }),
        providers: {
          stripe: GatewayProvider.stripe(),
          svix: GatewayProvider.standardWebhooks({ types: { 'invoice.paid': 'payment.succeeded' } }),
          alipay: GatewayProvider.alipay({ appId: '2021000000000001' }),
        },
        secretCacheTtl: Duration.seconds(0),
      });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
    base = `${apiUrlFor(emulator, 'POST /callbacks/{provider}')}/callbacks`;
    kafka = kafkaClient();
  }, 240000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const putSecret = (logicalIdPart: string, value: object) => {
    const secrets = emulator.secrets.list().filter((s) => s.name.includes(logicalIdPart));
    expect(secrets).toHaveLength(1);
    emulator.secrets.put(secrets[0].arn, value);
  };
  const post = (provider: string, headers: Record<string, string>, body: string) => fetch(`${base}/${provider}`, { method: 'POST', headers, body });
  const eventsFor = async (subject: string, count: number) =>
    waitFor(async () => {
      const events = (await readTopic(kafka, resultsTopic)).filter((e) => e.subject === subject);
      return events.length >= count ? events : undefined;
    }, { timeoutMs: 30000 });

  test('GIVEN a provider whose secret still holds no key THEN 500 (the sender retries) and nothing is published', async () => {
    const body = JSON.stringify({ id: 'evt_unset', type: 'payment_intent.succeeded', data: { object: { metadata: { correlation_id: `ORD-${id}-0` } } } });
    const res = await post('stripe', { 'content-type': 'application/json', 'stripe-signature': stripeSignature(body, stripeSecret, new Date()) }, body);
    expect(res.status).toBe(500);
  }, 60000);

  test('GIVEN a Stripe event signed by the stripe package, sent twice THEN 200 twice and one payment.succeeded keyed by the correlation id', async () => {
    putSecret('StripeSecret', { signingSecrets: [stripeSecret] });
    const order = `ORD-${id}-1`;
    const body = JSON.stringify({ id: `evt_${id}`, object: 'event', type: 'payment_intent.succeeded', data: { object: { object: 'payment_intent', metadata: { correlation_id: order } } } });
    const headers = { 'content-type': 'application/json', 'stripe-signature': stripeSignature(body, stripeSecret, new Date()) };
    const answers = [await post('stripe', headers, body), await post('stripe', headers, body)];
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const events = await eventsFor(order, 1);
    expect(events).toEqual([expect.objectContaining({ key: order, id: `stripe:evt_${id}`, type: 'payment.succeeded', source: 'gateway/stripe' })]);
    // AND the event answered 500 while the secret was empty left nothing on the topic
    expect((await readTopic(kafka, resultsTopic)).filter((e) => e.subject === `ORD-${id}-0`)).toEqual([]);
  }, 60000);

  test('GIVEN a Standard Webhooks delivery signed by the reference library THEN 204 and the event keyed by data.correlation_id, id from webhook-id', async () => {
    putSecret('SvixSecret', { signingSecrets: [svixSecret] });
    const order = `ORD-${id}-2`;
    const body = JSON.stringify({ type: 'invoice.paid', timestamp: new Date().toISOString(), data: { correlation_id: order } });
    const res = await post('svix', standardWebhookHeaders(`msg_${id}`, body, svixSecret, new Date()), body);
    expect([res.status, await res.text()]).toEqual([204, '']);
    expect(await eventsFor(order, 1)).toEqual([expect.objectContaining({ key: order, id: `svix:msg_${id}`, type: 'payment.succeeded' })]);
  }, 60000);

  test('GIVEN an Alipay notification THEN the plain text success and payment.succeeded keyed by out_trade_no; a tampered one gets fail and publishes nothing', async () => {
    putSecret('AlipaySecret', { alipayPublicKeys: [alipay.publicKeyBase64] });
    const order = `ORD-${id}-3`;
    const sent = alipayNotification({
      app_id: '2021000000000001', notify_id: `notify-${id}`, notify_time: '2026-11-24 16:00:00', out_trade_no: order,
      trade_no: '2026112422001400000000000001', trade_status: 'TRADE_SUCCESS', total_amount: '25.00', subject: '订单 25 元',
    }, alipay.privateKey);
    const ok = await post('alipay', sent.headers, sent.body);
    expect([ok.status, ok.headers.get('content-type'), await ok.text()]).toEqual([200, 'text/plain; charset=utf-8', 'success']);
    const tampered = await post('alipay', sent.headers, sent.body.replace('total_amount=25.00', 'total_amount=0.01').replace(`notify-${id}`, `notify-${id}-x`));
    expect(tampered.status).toBe(401);
    expect(await tampered.text()).not.toBe('success');
    const events = await eventsFor(order, 1);
    expect(events).toEqual([expect.objectContaining({ key: order, id: `alipay:notify-${id}`, type: 'payment.succeeded' })]);
  }, 60000);
});
