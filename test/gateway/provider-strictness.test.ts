import { randomBytes } from 'node:crypto';
import type { CloudEvent } from '../../lambdas/runtime/cloudevents';
import { handleCallback, type ClaimResult, type DedupeStore, type GatewayDeps } from '../../lambdas/runtime/gateway/handle-callback';
import { createVerifier } from '../../lambdas/runtime/gateway/providers';
import { WechatPayVerifier, type Verifier } from '../../lambdas/runtime/gateway/verifiers';
import { certificate, rsaKeys, stripeSignature, wechatPayHeaders, wechatPayNotification } from '../support/provider-senders';

/**
 * Issue 15, items 1-4: where the providers are strict, the gateway is too. Every callback here is
 * signed by code independent of the verifiers (wechatpay-axios-plugin, the stripe package,
 * node-forge certificates), and goes through handleCallback so that "nothing published" is seen.
 */
const now = new Date('2026-11-24T08:00:00Z');
const day = 24 * 3600 * 1000;
const apiV3Key = randomBytes(16).toString('hex');
const transaction = { out_trade_no: 'ORD-1', transaction_id: '4200000001', trade_state: 'SUCCESS', amount: { total: 100, currency: 'CNY' } };

class MemoryDedupe implements DedupeStore {
  private readonly state = new Map<string, 'PENDING' | 'PUBLISHED'>();
  async claim(key: string): Promise<ClaimResult> {
    const s = this.state.get(key);
    if (s) return s === 'PUBLISHED' ? 'published' : 'in-progress';
    this.state.set(key, 'PENDING');
    return 'claimed';
  }
  async markPublished(key: string) { this.state.set(key, 'PUBLISHED'); }
  async release(key: string) { this.state.delete(key); }
}

/** handleCallback with one provider `p` verified by `verifier`, recording what is published and logged. */
async function deliver(verifier: Verifier, headers: Record<string, string>, body: string) {
  const published: CloudEvent[] = [];
  const rejected: unknown[] = [];
  const deps: GatewayDeps = {
    verifierFor: async () => verifier,
    dedupe: new MemoryDedupe(),
    publish: async (event) => { published.push(event); },
    now: () => now,
    onRejected: (_provider, error) => rejected.push(error),
  };
  const answer = await handleCallback({ method: 'POST', provider: 'p', headers, body }, deps);
  return { answer, published, rejected };
}

describe('WeChat Pay: Wechatpay-Signature-Type (item 1)', () => {
  const keys = rsaKeys();
  const serial = 'PUB_KEY_ID_0114232134912410000000000000000';
  const verifier = new WechatPayVerifier({ platformCertificates: { [serial]: keys.publicKeyPem }, apiV3Key });
  const send = (signatureType: string | null) =>
    wechatPayNotification({ transaction, privateKey: keys.privateKey, serial, apiV3Key, timestamp: now, signatureType });

  test.each([['absent', null], ['WECHATPAY2-SHA256-RSA2048', 'WECHATPAY2-SHA256-RSA2048']])(
    'GIVEN an RSA notification with the type %s WHEN delivered THEN 204 and one event', async (_name, type) => {
      const { headers, body } = send(type);
      const { answer, published } = await deliver(verifier, headers, body);
      expect([answer.statusCode, published.length]).toEqual([204, 1]);
    });

  test.each(['WECHATPAY2-SM2-WITH-SM3', 'HMAC-SHA256', 'WECHATPAY2-SHA256-RSA4096', 'wechatpay2-sha256-rsa2048 '])(
    'GIVEN an RSA-signed notification that declares %s WHEN delivered THEN 400 unsupported_signature_type and nothing published', async (type) => {
      const { headers, body } = send(type);
      const { answer, published } = await deliver(verifier, headers, body);
      expect(answer.statusCode).toBe(400);
      expect(published).toEqual([]);
      expect(JSON.parse(answer.body)).toEqual({ code: 'FAIL', message: expect.stringMatching(/Wechatpay-Signature-Type/) });
    });

  test('GIVEN SM2/SM3 declared THEN the answer says it is not supported', async () => {
    const { headers, body } = send('WECHATPAY2-SM2-WITH-SM3');
    const { answer } = await deliver(verifier, headers, body);
    expect(JSON.parse(answer.body).message).toMatch(/WECHATPAY2-SM2-WITH-SM3 is not supported/);
  });
});

describe('WeChat Pay: platform certificate validity and rotation (item 2)', () => {
  const old = certificate({ notBefore: new Date(now.getTime() - 5 * 365 * day), notAfter: new Date(now.getTime() + 10 * day) });
  const next = certificate({ notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + 5 * 365 * day) });
  const expired = certificate({ notBefore: new Date(now.getTime() - 400 * day), notAfter: new Date(now.getTime() - 1000) });
  const future = certificate({ notBefore: new Date(now.getTime() + 60_000), notAfter: new Date(now.getTime() + 400 * day) });
  const send = (cert: { serial: string; keys: { privateKey: import('node:crypto').KeyObject } }) =>
    wechatPayNotification({ transaction, privateKey: cert.keys.privateKey, serial: cert.serial, apiV3Key, timestamp: now });

  test.each([['expired (notAfter 1 s ago)', expired], ['not yet valid (notBefore in 60 s)', future]])(
    'GIVEN a platform certificate that is %s WHEN a notification signed by its key arrives THEN 401 and nothing published', async (_name, cert) => {
      const verifier = new WechatPayVerifier({ platformCertificates: { [cert.serial]: cert.pem }, apiV3Key });
      const { headers, body } = send(cert);
      const { answer, published, rejected } = await deliver(verifier, headers, body);
      expect(answer.statusCode).toBe(401);
      expect(rejected).toEqual([expect.objectContaining({ code: 'certificate_not_valid' })]);
      expect(published).toEqual([]);
    });

  test('GIVEN the old and the new certificate during rotation WHEN each signs a notification THEN both verify', async () => {
    const verifier = new WechatPayVerifier({ platformCertificates: { [old.serial]: old.pem, [next.serial]: next.pem }, apiV3Key });
    for (const cert of [old, next]) {
      const { headers, body } = send(cert);
      const { answer, published } = await deliver(verifier, headers, body);
      expect([answer.statusCode, published.length]).toEqual([204, 1]);
    }
  });

  test('GIVEN the same certificates after the old one expired THEN the new one verifies and the old one is refused', async () => {
    const verifier = new WechatPayVerifier({ platformCertificates: { [old.serial]: old.pem, [next.serial]: next.pem }, apiV3Key });
    const later = new Date(now.getTime() + 11 * day);
    const sendAt = (cert: typeof old) => wechatPayNotification({ transaction, privateKey: cert.keys.privateKey, serial: cert.serial, apiV3Key, timestamp: later });
    const atLater = async (cert: typeof old) => {
      const { headers, body } = sendAt(cert);
      return handleCallback({ method: 'POST', provider: 'p', headers, body }, {
        verifierFor: async () => verifier, dedupe: new MemoryDedupe(), publish: async () => undefined, now: () => later,
      });
    };
    expect((await atLater(next)).statusCode).toBe(204);
    expect((await atLater(old)).statusCode).toBe(401);
  });
});

describe('Stripe-style v1 signatures must be exactly 64 hex digits (item 3)', () => {
  const secret = 'whsec_test_secret';
  const verifier = createVerifier({ kind: 'hmac', secretEnv: 'UNUSED' }, { signingSecret: secret });
  const body = JSON.stringify({ id: 'evt_1', type: 'payment.succeeded', correlation_id: 'ORD-1' });
  const header = stripeSignature(body, secret, now);
  const v1 = /v1=([0-9a-f]+)/.exec(header)![1];
  const t = /t=(\d+)/.exec(header)![1];

  test('GIVEN the signature Stripe\'s library writes THEN it verifies', async () => {
    const { answer, published } = await deliver(verifier, { 'x-signature': header }, body);
    expect([answer.statusCode, published.length]).toEqual([200, 1]);
  });

  test.each([
    ['65 digits (one appended)', `${v1}0`],
    ['66 digits', `${v1}00`],
    ['63 digits (one dropped)', v1.slice(0, 63)],
    ['64 digits with a non-hex character', `${v1.slice(0, 63)}g`],
  ])('GIVEN a v1 of %s THEN it is refused and nothing published', async (_name, signature) => {
    const { answer, published } = await deliver(verifier, { 'x-signature': `t=${t},v1=${signature}` }, body);
    expect(answer.statusCode).toBeGreaterThanOrEqual(400);
    expect(answer.statusCode).toBeLessThan(500);
    expect(published).toEqual([]);
  });
});

describe('unsigned callers learn no skew, tolerance or serial (item 4)', () => {
  const keys = rsaKeys();
  const serial = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
  const verifier = new WechatPayVerifier({ platformCertificates: { [serial]: keys.publicKeyPem }, apiV3Key });

  test('GIVEN a timestamp 1234 s old THEN the body names neither 1234 nor the 300 s tolerance; the log has both', async () => {
    const { headers, body } = wechatPayNotification({ transaction, privateKey: keys.privateKey, serial, apiV3Key, timestamp: new Date(now.getTime() - 1_234_000) });
    const { answer, rejected } = await deliver(verifier, headers, body);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).not.toMatch(/1234|300/);
    expect(rejected).toEqual([expect.objectContaining({ code: 'stale_timestamp', detail: { skewSeconds: 1234, toleranceSeconds: 300 } })]);
  });

  test('GIVEN an unknown serial THEN the body does not echo it; the log has it', async () => {
    const sent = 'ATTACKER0CHOSEN0SERIAL';
    const body = '{"id":"n-1"}';
    const { answer, rejected } = await deliver(verifier, wechatPayHeaders(body, { privateKey: keys.privateKey, serial: sent, timestamp: now }), body);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).not.toContain(sent);
    expect(rejected).toEqual([expect.objectContaining({ code: 'unknown_serial', detail: { serial: sent } })]);
  });

  test('GIVEN a stale Stripe-style signature THEN the body names neither skew nor tolerance', async () => {
    const secret = 'whsec_x';
    const hmac = createVerifier({ kind: 'hmac', secretEnv: 'UNUSED' }, { signingSecret: secret });
    const body = JSON.stringify({ id: 'evt_2', type: 'payment.succeeded', correlation_id: 'ORD-2' });
    const { answer } = await deliver(hmac, { 'x-signature': stripeSignature(body, secret, new Date(now.getTime() - 4_321_000)) }, body);
    expect(answer.statusCode).toBe(401);
    expect(answer.body).not.toMatch(/4321|300/);
  });
});
