import { X509Certificate } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { createVerifier } from '../../lambdas/runtime/gateway/providers';
import { alipayCertSn, AlipayVerifier } from '../../lambdas/runtime/gateway/verifiers';
import { alipayNotification, certificate, rsaKeys } from '../support/provider-senders';
import { rejection } from '../support/verification';

/**
 * Alipay asynchronous notifications, signed with Node's crypto as Alipay's docs describe and
 * checked against alipay-sdk's own notify verification (checkNotifySignV2) before the gateway sees them.
 */
const now = new Date('2026-11-24T08:00:00Z');
const day = 24 * 3600 * 1000;
const alipay = rsaKeys();
const merchant = rsaKeys();
const sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: merchant.privateKeyPem, alipayPublicKey: alipay.publicKeyBase64 });
const verifier = new AlipayVerifier({ alipayPublicKeys: [alipay.publicKeyBase64], appId: '2021000000000001' });

const trade = (overrides: Record<string, string> = {}) => ({
  app_id: '2021000000000001',
  notify_id: '2026112400222080000000000000000001',
  notify_time: '2026-11-24 16:00:00',
  out_trade_no: 'ORD-31',
  trade_no: '2026112422001400000000000001',
  trade_status: 'TRADE_SUCCESS',
  total_amount: '25.00',
  subject: '大乐透 2.1+1 & more',
  buyer_id: '2088102116773037',
  ...overrides,
});


describe('AlipayVerifier, public-key mode', () => {
  test('GIVEN a TRADE_SUCCESS notification alipay-sdk accepts THEN notify_id, out_trade_no, payment.succeeded and the plain text success', async () => {
    const { headers, body, params } = alipayNotification(trade(), alipay.privateKey);
    expect(sdk.checkNotifySignV2(params)).toBe(true);
    const result = await verifier.verify({ headers, body, now });
    expect(result).toMatchObject({
      notificationId: '2026112400222080000000000000000001', correlationId: 'ORD-31', type: 'payment.succeeded',
      ack: { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' },
    });
    expect((result.data as { notification: Record<string, string> }).notification).toMatchObject({ subject: '大乐透 2.1+1 & more', total_amount: '25.00' });
  });

  test.each([['TRADE_FINISHED', 'payment.succeeded'], ['TRADE_CLOSED', 'payment.closed'], ['WAIT_BUYER_PAY', 'payment.pending']])(
    'GIVEN trade_status %s THEN the type is %s', async (status, type) => {
      const { headers, body } = alipayNotification(trade({ trade_status: status }), alipay.privateKey);
      expect((await verifier.verify({ headers, body, now })).type).toBe(type);
    });

  test('GIVEN a PEM public key and a rotated second key THEN a notification signed by either verifies', async () => {
    const next = rsaKeys();
    const both = createVerifier({ kind: 'alipay', secretEnv: 'X' }, { alipayPublicKeys: [alipay.publicKeyPem, next.publicKeyBase64] });
    for (const key of [alipay, next]) {
      const { headers, body } = alipayNotification(trade(), key.privateKey);
      await expect(both.verify({ headers, body, now })).resolves.toMatchObject({ type: 'payment.succeeded' });
    }
  });

  test.each([
    ['a changed total_amount', (b: string) => b.replace('total_amount=25.00', 'total_amount=0.01'), 401, 'bad_signature'],
    ['an added parameter', (b: string) => `${b}&gmt_refund=2026-11-24`, 401, 'bad_signature'],
    ['sign_type RSA (SHA1)', (b: string) => b.replace('sign_type=RSA2', 'sign_type=RSA'), 400, 'unsupported_sign_type'],
    ['no sign', (b: string) => b.replace(/(^|&)sign=[^&]*/, ''), 400, 'missing_field'],
    ['a parameter twice', (b: string) => `${b}&out_trade_no=ORD-EVIL`, 400, 'malformed_body'],
    ['charset gbk', (b: string) => b.replace('charset=utf-8', 'charset=gbk'), 400, 'unsupported_charset'],
  ])('GIVEN %s THEN %i %s', async (_name, mutate, status, code) => {
    const { headers, body } = alipayNotification(trade(), alipay.privateKey);
    const err = await rejection(verifier.verify({ headers, body: mutate(body), now }));
    expect([err.status, err.code]).toEqual([status, code]);
  });

  test('GIVEN an empty parameter THEN it is left out of the signed content (as Alipay\'s Java SDK does); giving it a value breaks the signature', async () => {
    const { headers, body } = alipayNotification(trade({ refund_fee: '' }), alipay.privateKey);
    expect(body).toContain('refund_fee=&');
    await expect(verifier.verify({ headers, body, now })).resolves.toBeDefined();
    expect((await rejection(verifier.verify({ headers, body: body.replace('refund_fee=&', 'refund_fee=1.00&'), now }))).code).toBe('bad_signature');
  });

  test('GIVEN a notification signed by another key THEN 401 and the failure answer is not success', async () => {
    const { headers, body } = alipayNotification(trade(), rsaKeys().privateKey);
    const err = await rejection(verifier.verify({ headers, body, now }));
    expect([err.status, err.code]).toEqual([401, 'bad_signature']);
    expect(verifier.respondFailure(err)).toEqual({ statusCode: 401, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'fail: sign does not match the parameters' });
  });

  test('GIVEN another merchant\'s app_id (correctly signed) THEN 400 wrong_app_id', async () => {
    const { headers, body } = alipayNotification(trade({ app_id: '2021000000000999' }), alipay.privateKey);
    expect((await rejection(verifier.verify({ headers, body, now }))).code).toBe('wrong_app_id');
  });

  test('GIVEN an unknown trade_status (correctly signed) THEN 400 unknown_trade_status', async () => {
    const { headers, body } = alipayNotification(trade({ trade_status: 'TRADE_PENDING' }), alipay.privateKey);
    expect((await rejection(verifier.verify({ headers, body, now }))).code).toBe('unknown_trade_status');
  });

  test('GIVEN a JSON content type THEN 415', async () => {
    const { body } = alipayNotification(trade(), alipay.privateKey);
    expect((await rejection(verifier.verify({ headers: { 'content-type': 'application/json' }, body, now }))).status).toBe(415);
  });

  test('GIVEN a secret with neither keys nor certificates THEN the constructor throws naming both fields', () => {
    expect(() => createVerifier({ kind: 'alipay', secretEnv: 'X' }, {})).toThrow('an Alipay secret must hold alipayPublicKeys or alipayCertificates, got neither');
  });
});

describe('AlipayVerifier, certificate mode', () => {
  const root = certificate({ commonName: 'Test Alipay Root', isCa: true, notBefore: new Date(now.getTime() - 3650 * day), notAfter: new Date(now.getTime() + 3650 * day) });
  const issue = (notBefore: Date, notAfter: Date) => certificate({ commonName: 'Test Alipay public key', issuer: root, notBefore, notAfter });
  const current = issue(new Date(now.getTime() - 300 * day), new Date(now.getTime() + 65 * day));
  const renewed = issue(new Date(now.getTime() - day), new Date(now.getTime() + 800 * day));
  const expired = issue(new Date(now.getTime() - 800 * day), new Date(now.getTime() - 1000));
  const certVerifier = new AlipayVerifier({ alipayCertificates: [current.pem, renewed.pem], alipayRootCertificate: root.pem });
  /** alipay-sdk in certificate mode, which reads the certificate's SN and public key itself. */
  const certSdk = (cert: { pem: string }) => new AlipaySdk({
    appId: '2021000000000001', privateKey: merchant.privateKeyPem,
    appCertContent: cert.pem, alipayPublicCertContent: cert.pem, alipayRootCertContent: root.pem,
  });
  const getSN = (pem: string) => certSdk({ pem }).config.alipayCertSn;

  test('GIVEN a certificate THEN alipayCertSn equals the SN alipay-sdk computes', () => {
    expect(alipayCertSn(new X509Certificate(current.pem))).toMatch(/^[0-9a-f]{32}$/);
    expect(alipayCertSn(new X509Certificate(current.pem))).toBe(getSN(current.pem));
    expect(alipayCertSn(new X509Certificate(renewed.pem))).toBe(getSN(renewed.pem));
  });

  test('GIVEN the current and the renewed certificate WHEN each key signs, with and without alipay_cert_sn THEN all verify', async () => {
    for (const cert of [current, renewed]) {
      for (const extra of [{}, { alipay_cert_sn: getSN(cert.pem) }] as Array<Record<string, string>>) {
        const { headers, body, params } = alipayNotification(trade(extra), cert.keys.privateKey);
        expect(certSdk(cert).checkNotifySignV2(params)).toBe(true);
        await expect(certVerifier.verify({ headers, body, now })).resolves.toMatchObject({ correlationId: 'ORD-31' });
      }
    }
  });

  test('GIVEN alipay_cert_sn naming one certificate but a signature by the other THEN 401 bad_signature', async () => {
    const { headers, body } = alipayNotification(trade({ alipay_cert_sn: getSN(current.pem) }), renewed.keys.privateKey);
    expect((await rejection(certVerifier.verify({ headers, body, now }))).code).toBe('bad_signature');
  });

  test('GIVEN an alipay_cert_sn held nowhere THEN 401 unknown_certificate without echoing it', async () => {
    const { headers, body } = alipayNotification(trade({ alipay_cert_sn: 'f'.repeat(32) }), current.keys.privateKey);
    const err = await rejection(certVerifier.verify({ headers, body, now }));
    expect([err.status, err.code, err.message.includes('f'.repeat(32))]).toEqual([401, 'unknown_certificate', false]);
  });

  test('GIVEN an expired certificate (notAfter 1 s ago) THEN 401 certificate_not_valid', async () => {
    const only = new AlipayVerifier({ alipayCertificates: [expired.pem], alipayRootCertificate: root.pem });
    const { headers, body } = alipayNotification(trade(), expired.keys.privateKey);
    expect((await rejection(only.verify({ headers, body, now }))).code).toBe('certificate_not_valid');
  });

  test('GIVEN the current certificate after its notAfter THEN only the renewed one verifies', async () => {
    const later = new Date(now.getTime() + 66 * day);
    const signedBy = (cert: typeof current) => alipayNotification(trade(), cert.keys.privateKey);
    await expect(certVerifier.verify({ ...signedBy(renewed), now: later })).resolves.toBeDefined();
    expect((await rejection(certVerifier.verify({ ...signedBy(current), now: later }))).code).toBe('bad_signature');
  });

  test('GIVEN a certificate that does not chain to the root THEN the constructor throws naming it', () => {
    const stranger = certificate({ notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + day) });
    expect(() => new AlipayVerifier({ alipayCertificates: [current.pem, stranger.pem], alipayRootCertificate: root.pem }))
      .toThrow('alipayCertificates[1] does not chain to alipayRootCertificate');
  });
});
