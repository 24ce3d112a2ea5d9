import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { CloudEvent } from '../../lambdas/runtime/cloudevents';
import { stripeSignature, wechatPayNotification } from '../support/provider-senders';
import { handleCallback, type ClaimResult, type DedupeStore, type GatewayDeps } from '../../lambdas/runtime/gateway/handle-callback';
import { verifierRegistry } from '../../lambdas/runtime/gateway/providers';

const now = new Date('2026-11-24T08:00:00Z');
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiV3Key = randomBytes(16).toString('hex');
const serial = 'ABC123';
const secrets: Record<string, Record<string, unknown>> = {
  'arn:wechat': { platformCertificates: { [serial]: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, apiV3Key },
  'arn:acme': { signingSecret: 'shh' },
  'arn:empty': { signingSecrets: [] },
};

/** In-memory DedupeStore with the same semantics as the DynamoDB one. */
class MemoryDedupe implements DedupeStore {
  readonly state = new Map<string, 'PENDING' | 'PUBLISHED'>();
  async claim(key: string): Promise<ClaimResult> {
    const s = this.state.get(key);
    if (s === 'PUBLISHED') return 'published';
    if (s === 'PENDING') return 'in-progress';
    this.state.set(key, 'PENDING');
    return 'claimed';
  }
  async markPublished(key: string) { this.state.set(key, 'PUBLISHED'); }
  async release(key: string) { this.state.delete(key); }
}

function setup(publishFails = false) {
  const published: Array<{ event: CloudEvent; key: string }> = [];
  let failNext = publishFails;
  const deps: GatewayDeps = {
    verifierFor: verifierRegistry(
      { 'wechat-pay': { kind: 'wechat-pay', secretEnv: 'W' }, acme: { kind: 'hmac', secretEnv: 'A' }, unset: { kind: 'stripe', secretEnv: 'E' } },
      { W: 'arn:wechat', A: 'arn:acme', E: 'arn:empty' },
      async (id) => JSON.stringify(secrets[id]),
    ),
    dedupe: new MemoryDedupe(),
    publish: async (event, key) => {
      if (failNext) { failNext = false; throw new Error('broker down'); }
      published.push({ event, key });
    },
    now: () => now,
    maxBodyBytes: 8192,
  };
  return { deps, published };
}

const signed = wechatPayNotification({
  transaction: { out_trade_no: 'ORD-1', trade_state: 'SUCCESS' }, privateKey, serial, apiV3Key, notificationId: 'n-1', timestamp: now,
});
const post = (provider: string | undefined, headers = signed.headers, body = signed.body, method = 'POST') => ({ method, provider, headers, body });

describe('handleCallback', () => {
  test('GIVEN a valid WeChat Pay notification THEN it publishes one result event keyed by the correlation id and answers 204', async () => {
    const { deps, published } = setup();
    const answer = await handleCallback(post('wechat-pay'), deps);
    expect([answer.statusCode, answer.outcome]).toEqual([204, 'published']);
    expect(published).toHaveLength(1);
    expect(published[0].key).toBe('ORD-1');
    expect(published[0].event).toMatchObject({
      id: 'wechat-pay:n-1', type: 'payment.succeeded', source: 'gateway/wechat-pay', subject: 'ORD-1', provider: 'wechatpay',
      data: { provider: 'wechat-pay', correlationId: 'ORD-1', notificationId: 'n-1', payload: { transaction: { out_trade_no: 'ORD-1' } } },
    });
  });

  test('GIVEN the same notification three times THEN each is acknowledged and one event is published', async () => {
    const { deps, published } = setup();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await handleCallback(post('wechat-pay'), deps));
    expect(answers.map((a) => a.statusCode)).toEqual([204, 204, 204]);
    expect(answers.map((a) => a.outcome)).toEqual(['published', 'duplicate', 'duplicate']);
    expect(published).toHaveLength(1);
  });

  test('GIVEN the publish fails THEN 500 FAIL, the claim is released, and the retry publishes once', async () => {
    const { deps, published } = setup(true);
    const first = await handleCallback(post('wechat-pay'), deps);
    expect(first.statusCode).toBe(500);
    expect(JSON.parse(first.body).code).toBe('FAIL');
    const retry = await handleCallback(post('wechat-pay'), deps);
    expect(retry.statusCode).toBe(204);
    expect(published).toHaveLength(1);
  });

  test.each([
    ['an unknown provider', post('nope'), 404],
    ['no provider', post(undefined), 404],
    ['GET', post('wechat-pay', signed.headers, signed.body, 'GET'), 405],
    ['a body over MAX_BODY_BYTES', post('wechat-pay', signed.headers, 'x'.repeat(8193)), 413],
    ['missing headers', post('wechat-pay', {}), 400],
    ['a bad signature', post('wechat-pay', { ...signed.headers, 'wechatpay-signature': Buffer.alloc(256).toString('base64') }), 401],
    ['an unknown serial', post('wechat-pay', { ...signed.headers, 'wechatpay-serial': 'OTHER' }), 401],
  ])('GIVEN %s THEN the matching status and nothing published', async (_name, request, status) => {
    const { deps, published } = setup();
    const answer = await handleCallback(request, deps);
    expect(answer.statusCode).toBe(status);
    expect(published).toHaveLength(0);
  });

  test('GIVEN an HMAC provider THEN its result is published with the mapped ids', async () => {
    const { deps, published } = setup();
    const body = JSON.stringify({ id: 'evt_9', type: 'payment.succeeded', correlation_id: 'ORD-9' });
    const answer = await handleCallback(post('acme', { 'x-signature': stripeSignature(body, 'shh', now) }, body), deps);
    expect(answer.statusCode).toBe(200);
    expect(published[0]).toMatchObject({ key: 'ORD-9', event: { id: 'acme:evt_9', source: 'gateway/acme' } });
  });

  test('GIVEN a provider whose secret holds no key yet THEN 500 (the provider retries), nothing published, and the reason logged', async () => {
    const { deps, published } = setup();
    const errors: Error[] = [];
    const answer = await handleCallback(post('unset', { 'stripe-signature': 't=1,v1=' + 'a'.repeat(64) }, '{}'), { ...deps, onRejected: (_p, e) => errors.push(e) });
    expect([answer.statusCode, answer.outcome]).toEqual([500, 'failed']);
    expect(published).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual(['signingSecrets must hold at least one non-empty secret, got none']);
  });
});
