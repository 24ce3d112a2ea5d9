import { createCipheriv, randomBytes } from 'node:crypto';
import { createVerifier, STRIPE_TYPES } from '../../lambdas/runtime/gateway/providers';
import { HmacVerifier, VerificationError, WechatPayVerifier } from '../../lambdas/runtime/gateway/verifiers';
import { rsaKeys, stripeAccepts, stripeSignature, wechatPayHeaders, wechatPayNotification } from '../support/provider-senders';
import { rejection } from '../support/verification';

/**
 * WeChat Pay and Stripe-style verifiers against callbacks written by the providers' own SDKs
 * (wechatpay-axios-plugin, stripe); tampering is done on those callbacks, re-signed by the SDK.
 */
const now = new Date('2026-11-24T08:00:00Z');
const keys = rsaKeys();
const other = rsaKeys();
const apiV3Key = randomBytes(16).toString('hex'); // 32 characters = 32 bytes
const serial = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';

const wechat = new WechatPayVerifier({ platformCertificates: { [serial]: keys.publicKeyPem }, apiV3Key, maxBodyBytes: 4096 });
const transaction = { out_trade_no: 'ORD-1001', transaction_id: '4200000001', trade_state: 'SUCCESS', amount: { total: 100, currency: 'CNY' } };

function notification(overrides: Partial<Parameters<typeof wechatPayNotification>[0]> = {}) {
  return wechatPayNotification({ transaction, privateKey: keys.privateKey, serial, apiV3Key, notificationId: 'n-1', timestamp: now, ...overrides });
}
const signWechatPay = (body: string, privateKey = keys.privateKey) => wechatPayHeaders(body, { privateKey, serial, timestamp: now });

/** AES-256-GCM as WeChat Pay's docs describe it (ciphertext ‖ tag, base64), for resources built by hand. */
function encryptResource(plaintext: string, key: string) {
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8')).setAAD(Buffer.from('transaction'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'transaction', nonce };
}


describe('WechatPayVerifier', () => {
  test('GIVEN a signed, encrypted notification WHEN verified THEN it yields the decrypted transaction and a 204 ack', async () => {
    const { headers, body } = notification();
    const result = await wechat.verify({ headers, body, now });
    expect(result).toMatchObject({ notificationId: 'n-1', correlationId: 'ORD-1001', type: 'payment.succeeded', ack: { statusCode: 204, body: '' } });
    expect((result.data as { transaction: unknown }).transaction).toEqual(transaction);
  });

  test('GIVEN trade_state other than SUCCESS THEN the type is payment.failed', async () => {
    const { headers, body } = notification({ transaction: { ...transaction, trade_state: 'PAYERROR' } });
    expect((await wechat.verify({ headers, body, now })).type).toBe('payment.failed');
  });

  test('GIVEN header names in any case and a timestamp 299 s old THEN it verifies', async () => {
    const { headers, body } = notification({ timestamp: new Date(now.getTime() - 299_000) });
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    await expect(wechat.verify({ headers: upper, body, now })).resolves.toBeDefined();
  });

  test('GIVEN a body changed after signing THEN 401 bad_signature', async () => {
    const { headers, body } = notification();
    const err = await rejection(wechat.verify({ headers, body: body.replace('n-1', 'n-2'), now }));
    expect([err.status, err.code]).toEqual([401, 'bad_signature']);
  });

  test('GIVEN a signature by another key THEN 401 bad_signature', async () => {
    const { headers, body } = notification({ privateKey: other.privateKey });
    expect((await rejection(wechat.verify({ headers, body, now }))).code).toBe('bad_signature');
  });

  test('GIVEN an unknown serial THEN 401 unknown_serial', async () => {
    const { headers, body } = notification({ serial: 'DEADBEEF' });
    const err = await rejection(wechat.verify({ headers, body, now }));
    expect([err.status, err.code]).toEqual([401, 'unknown_serial']);
  });

  test.each([301, -301])('GIVEN a timestamp %i s off THEN 401 stale_timestamp', async (offset) => {
    const { headers, body } = notification({ timestamp: new Date(now.getTime() - offset * 1000) });
    const err = await rejection(wechat.verify({ headers, body, now }));
    expect([err.status, err.code]).toEqual([401, 'stale_timestamp']);
  });

  test.each(['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'])(
    'GIVEN no %s header THEN 400 missing_header', async (name) => {
      const { headers, body } = notification();
      const without = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name.toLowerCase()));
      const err = await rejection(wechat.verify({ headers: without, body, now }));
      expect([err.status, err.code]).toEqual([400, 'missing_header']);
    });

  test('GIVEN a correctly signed body that is not JSON THEN 400 malformed_json', async () => {
    const body = '{"id": "n-1", resource';
    const err = await rejection(wechat.verify({ headers: signWechatPay(body), body, now }));
    expect([err.status, err.code]).toEqual([400, 'malformed_json']);
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  test('GIVEN a body over the limit THEN 413 before anything else', async () => {
    const body = 'x'.repeat(4097);
    const err = await rejection(wechat.verify({ headers: {}, body, now }));
    expect([err.status, err.code]).toEqual([413, 'body_too_large']);
  });

  test('GIVEN a tampered ciphertext (re-signed) THEN 401 decryption_failed', async () => {
    const original = JSON.parse(notification().body);
    const bytes = Buffer.from(original.resource.ciphertext, 'base64');
    bytes[0] ^= 0x01;
    original.resource.ciphertext = bytes.toString('base64');
    const body = JSON.stringify(original);
    const err = await rejection(wechat.verify({ headers: signWechatPay(body), body, now }));
    expect([err.status, err.code]).toEqual([401, 'decryption_failed']);
    // node:crypto's own reason stays on the error, for the log only
    expect((err.cause as Error).message).toMatch(/unable to authenticate data/);
  });

  test('GIVEN a resource encrypted with another API v3 key THEN 401 decryption_failed', async () => {
    const body = JSON.stringify({ id: 'n-1', resource: encryptResource(JSON.stringify(transaction), randomBytes(16).toString('hex')) });
    const err = await rejection(wechat.verify({ headers: signWechatPay(body), body, now }));
    expect(err.code).toBe('decryption_failed');
  });

  test('GIVEN a resource without out_trade_no THEN 400 missing_field', async () => {
    const { headers, body } = notification({ transaction: { trade_state: 'SUCCESS' } });
    const err = await rejection(wechat.verify({ headers, body, now }));
    expect([err.status, err.code]).toEqual([400, 'missing_field']);
  });

  test('GIVEN a failure THEN the answer is {"code":"FAIL","message":…} with the status', () => {
    const answer = wechat.respondFailure(new VerificationError(401, 'bad_signature', 'no'));
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ code: 'FAIL', message: 'no' });
  });

  test('GIVEN an API v3 key that is not 32 bytes THEN the constructor throws', () => {
    expect(() => new WechatPayVerifier({ platformCertificates: {}, apiV3Key: 'short' })).toThrow(/apiV3Key must be 32 bytes, got 5/);
  });

  test('GIVEN no platform key at all THEN the constructor throws naming the field', () => {
    expect(() => new WechatPayVerifier({ platformCertificates: {}, apiV3Key })).toThrow(/platformCertificates must hold at least one platform certificate or WeChat Pay public key, got none/);
  });

  test('GIVEN a certificate keyed by another serial THEN the constructor throws naming both', () => {
    const { certificate } = require('../support/provider-senders') as typeof import('../support/provider-senders');
    const cert = certificate({ notBefore: new Date(now.getTime() - 1000), notAfter: new Date(now.getTime() + 1000) });
    expect(() => new WechatPayVerifier({ platformCertificates: { WRONG: cert.pem }, apiV3Key }))
      .toThrow(`platformCertificates.WRONG holds the certificate of serial ${cert.serial.replace(/^0+/, '')}`);
  });
});

describe('HmacVerifier (the generic Stripe-style provider)', () => {
  const secret = 'whsec_test';
  const hmac = new HmacVerifier({ signingSecrets: [secret], types: { 'payment_intent.succeeded': 'payment.succeeded' } });
  const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { metadata: { correlation_id: 'ORD-7' } } } });

  test('GIVEN a signature by the stripe package THEN it yields ids, mapped type and a 200 ack', async () => {
    const result = await hmac.verify({ headers: { 'x-signature': stripeSignature(body, secret, now) }, body, now });
    expect(result).toMatchObject({ notificationId: 'evt_1', correlationId: 'ORD-7', type: 'payment.succeeded', ack: { statusCode: 200 } });
  });

  test('GIVEN several v1 entries (Stripe rolling a secret) of which one matches THEN it verifies', async () => {
    const t = Math.floor(now.getTime() / 1000);
    const v1 = (s: string) => /v1=([0-9a-f]{64})/.exec(stripeSignature(body, s, now))![1];
    const value = `t=${t},v1=${v1('old-secret')},v1=${v1(secret)},v0=${'0'.repeat(64)}`;
    await expect(hmac.verify({ headers: { 'X-Signature': value }, body, now })).resolves.toBeDefined();
  });

  test('GIVEN two secrets held during rotation THEN a signature by either verifies and a third is refused', async () => {
    const rotating = new HmacVerifier({ signingSecrets: ['whsec_old', 'whsec_new'] });
    const flat = JSON.stringify({ id: 'e2', type: 'payment.failed', correlation_id: 'ORD-8' });
    for (const s of ['whsec_old', 'whsec_new']) {
      await expect(rotating.verify({ headers: { 'x-signature': stripeSignature(flat, s, now) }, body: flat, now })).resolves.toBeDefined();
    }
    expect((await rejection(rotating.verify({ headers: { 'x-signature': stripeSignature(flat, 'whsec_other', now) }, body: flat, now }))).code).toBe('bad_signature');
  });

  test('GIVEN a top-level correlation_id and a custom header THEN it verifies', async () => {
    const custom = new HmacVerifier({ signingSecrets: [secret], header: 'X-Acme-Signature' });
    const flat = JSON.stringify({ id: 'e2', type: 'payment.failed', correlation_id: 'ORD-8' });
    const result = await custom.verify({ headers: { 'x-acme-signature': stripeSignature(flat, secret, now) }, body: flat, now });
    expect([result.correlationId, result.type]).toEqual(['ORD-8', 'payment.failed']);
  });

  test('GIVEN a wrong secret THEN 401 bad_signature', async () => {
    const err = await rejection(hmac.verify({ headers: { 'x-signature': stripeSignature(body, 'wrong', now) }, body, now }));
    expect([err.status, err.code]).toEqual([401, 'bad_signature']);
  });

  test.each([301, -301])('GIVEN a timestamp %i s old THEN 401 stale_timestamp', async (age) => {
    const err = await rejection(hmac.verify({ headers: { 'x-signature': stripeSignature(body, secret, new Date(now.getTime() - age * 1000)) }, body, now }));
    expect([err.status, err.code]).toEqual([401, 'stale_timestamp']);
  });

  test.each([
    [{}, 'missing_header'],
    [{ 'x-signature': 'v1=abc' }, 'malformed_header'],
    [{ 'x-signature': 't=1' }, 'malformed_header'],
    [{ 'x-signature': `t=1,t=2,v1=${'a'.repeat(64)}` }, 'malformed_header'],
  ])('GIVEN headers %j THEN 400 %s', async (headers, code) => {
    const err = await rejection(hmac.verify({ headers, body, now }));
    expect([err.status, err.code]).toEqual([400, code]);
  });

  test('GIVEN a signed body that is not JSON THEN 400 malformed_json', async () => {
    const bad = 'not json';
    const err = await rejection(hmac.verify({ headers: { 'x-signature': stripeSignature(bad, secret, now) }, body: bad, now }));
    expect([err.status, err.code]).toEqual([400, 'malformed_json']);
  });

  test('GIVEN a body over the limit THEN 413', async () => {
    const err = await rejection(hmac.verify({ headers: {}, body: 'x'.repeat(64 * 1024 + 1), now }));
    expect(err.status).toBe(413);
  });

  test('GIVEN no secret THEN the constructor throws', () => {
    expect(() => new HmacVerifier({ signingSecrets: [''] })).toThrow(/signingSecrets must hold at least one non-empty secret, got none/);
  });
});

describe('Stripe preset (kind stripe)', () => {
  const current = 'whsec_current_endpoint_secret';
  const previous = 'whsec_previous_endpoint_secret';
  const stripe = createVerifier({ kind: 'stripe', secretEnv: 'UNUSED' }, { signingSecrets: [current, previous] });
  const event = (type: string, object: Record<string, unknown>) => JSON.stringify({ id: 'evt_3Nxyz', object: 'event', type, data: { object } });

  test.each(Object.entries(STRIPE_TYPES))('GIVEN a %s event signed by the stripe package THEN the type is %s', async (stripeType, type) => {
    const body = event(stripeType, { id: 'pi_1', object: 'payment_intent', metadata: { correlation_id: 'ORD-9' } });
    const header = stripeSignature(body, current, now);
    expect(stripeAccepts(body, header, current, now)).toBe(true);
    const result = await stripe.verify({ headers: { 'Stripe-Signature': header }, body, now });
    expect(result).toMatchObject({ notificationId: 'evt_3Nxyz', correlationId: 'ORD-9', type, ack: { statusCode: 200 } });
  });

  test('GIVEN a Checkout Session with client_reference_id THEN that is the correlation id and the type passes through', async () => {
    const body = event('checkout.session.completed', { id: 'cs_1', object: 'checkout.session', client_reference_id: 'ORD-10' });
    const result = await stripe.verify({ headers: { 'stripe-signature': stripeSignature(body, previous, now) }, body, now });
    expect([result.correlationId, result.type]).toEqual(['ORD-10', 'checkout.session.completed']);
  });

  test('GIVEN the signature in X-Signature instead of Stripe-Signature THEN 400 missing_header', async () => {
    const body = event('payment_intent.succeeded', { metadata: { correlation_id: 'ORD-9' } });
    const err = await rejection(stripe.verify({ headers: { 'x-signature': stripeSignature(body, current, now) }, body, now }));
    expect([err.status, err.code]).toEqual([400, 'missing_header']);
  });
});
