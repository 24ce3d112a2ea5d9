import { createSign, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import forge from 'node-forge';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';

/**
 * The senders' side of every provider, written by code paths independent of the gateway's
 * verifiers: WeChat Pay through `wechatpay-axios-plugin` (Rsa.sign, AesGcm), Stripe through the
 * official `stripe` package, Standard Webhooks through the `standardwebhooks` reference library,
 * Alipay with Node's crypto written from Alipay's public docs (and checked against `alipay-sdk`
 * in its tests), certificates through `node-forge`. Tests never sign with the gateway's own helpers.
 */

export interface RsaKeys {
  readonly privateKey: KeyObject;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  /** The public key as bare base64 DER, the form Alipay's console shows. */
  readonly publicKeyBase64: string;
}

export function rsaKeys(): RsaKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem,
    publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

// ---------------------------------------------------------------- certificates (node-forge)

export interface TestCertificate {
  readonly pem: string;
  /** Upper-case hex serial as WeChat Pay sends it in Wechatpay-Serial. */
  readonly serial: string;
  readonly keys: RsaKeys;
}

export interface CertificateOptions {
  readonly commonName?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex serial. @default random 20 bytes */
  readonly serialHex?: string;
  /** Issuer; @default self-signed */
  readonly issuer?: TestCertificate;
  readonly isCa?: boolean;
}

/** An X.509 certificate made by node-forge (not by Node's crypto the gateway uses to read it). */
export function certificate(options: CertificateOptions): TestCertificate {
  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = options.serialHex ?? `7${forge.util.bytesToHex(forge.random.getBytesSync(19)).slice(1)}`;
  cert.validity.notBefore = options.notBefore;
  cert.validity.notAfter = options.notAfter;
  const subject = [
    { shortName: 'C', value: 'CN' },
    { shortName: 'O', value: 'Test Payments Ltd' },
    { shortName: 'OU', value: 'Platform' },
    { shortName: 'CN', value: options.commonName ?? 'Test platform certificate' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? forge.pki.certificateFromPem(options.issuer.pem).subject.attributes : subject);
  cert.setExtensions([{ name: 'basicConstraints', cA: options.isCa ?? false }]);
  const signer = options.issuer ? options.issuer.keys.privateKeyPem : keys.privateKeyPem;
  cert.sign(forge.pki.privateKeyFromPem(signer), forge.md.sha256.create());
  return { pem: forge.pki.certificateToPem(cert), serial: cert.serialNumber.toUpperCase(), keys };
}

// ---------------------------------------------------------------- WeChat Pay (wechatpay-axios-plugin)

export interface WechatPaySendOptions {
  readonly transaction: Record<string, unknown>;
  readonly privateKey: KeyObject | string;
  readonly serial: string;
  /** 32-byte API v3 key. */
  readonly apiV3Key: string;
  readonly notificationId?: string;
  readonly timestamp?: Date;
  /** `Wechatpay-Signature-Type`; null leaves the header out. @default 'WECHATPAY2-SHA256-RSA2048' */
  readonly signatureType?: string | null;
}

/** A WeChat Pay v3 payment notification as WeChat Pay sends it: resource encrypted, body signed. */
export function wechatPayNotification(options: WechatPaySendOptions): { headers: Record<string, string>; body: string } {
  const nonce = Formatter.nonce(12);
  const success = options.transaction.trade_state === 'SUCCESS';
  const body = JSON.stringify({
    id: options.notificationId ?? randomUUID(),
    create_time: (options.timestamp ?? new Date()).toISOString(),
    resource_type: 'encrypt-resource',
    event_type: success ? 'TRANSACTION.SUCCESS' : 'TRANSACTION.FAIL',
    summary: success ? '支付成功' : '支付失败',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: Aes.AesGcm.encrypt(JSON.stringify(options.transaction), options.apiV3Key, nonce, 'transaction'),
      associated_data: 'transaction',
      nonce,
    },
  });
  return { headers: wechatPayHeaders(body, options), body };
}

/** The Wechatpay-* headers over `body`, signed by wechatpay-axios-plugin's Rsa.sign. */
export function wechatPayHeaders(body: string, options: Omit<WechatPaySendOptions, 'transaction' | 'apiV3Key'>): Record<string, string> {
  const timestamp = String(Math.floor((options.timestamp ?? new Date()).getTime() / 1000));
  const nonce = Formatter.nonce();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': Rsa.sign(Formatter.response(timestamp, nonce, body), options.privateKey),
    'wechatpay-serial': options.serial,
  };
  const type = options.signatureType === undefined ? 'WECHATPAY2-SHA256-RSA2048' : options.signatureType;
  if (type !== null) headers['wechatpay-signature-type'] = type;
  return headers;
}

// ---------------------------------------------------------------- Stripe (stripe)

const stripe = new Stripe('sk_test_unused');

/** `Stripe-Signature` as Stripe's own library writes it for a test event. */
export function stripeSignature(payload: string, secret: string, at: Date): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(at.getTime() / 1000) });
}

/** Stripe's own verification, to show a fixture is what Stripe accepts (throws otherwise). */
export function stripeAccepts(payload: string, header: string, secret: string, at: Date): boolean {
  stripe.webhooks.constructEvent(payload, header, secret, 300, undefined, at.getTime());
  return true;
}

// ---------------------------------------------------------------- Standard Webhooks (standardwebhooks)

/** The three webhook-* headers as the reference library signs them. */
export function standardWebhookHeaders(id: string, payload: string, secret: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, payload),
  };
}

/** A `whsec_` secret of 32 random bytes, as Standard Webhooks senders issue them. */
export function standardWebhookSecret(): string {
  return `whsec_${forge.util.encode64(forge.random.getBytesSync(32))}`;
}

// ---------------------------------------------------------------- Alipay (Node crypto, from Alipay's docs)

/**
 * An Alipay asynchronous notification, form-encoded, signed RSA2 as Alipay's docs describe:
 * remove `sign` and `sign_type`, drop empty values, sort by name, join `k=v` with `&`,
 * SHA256withRSA, base64 (https://docs.open.alipay.com/291/106074).
 */
export function alipayNotification(params: Record<string, string>, privateKey: KeyObject | string): { headers: Record<string, string>; body: string; params: Record<string, string> } {
  const all: Record<string, string> = { charset: 'utf-8', version: '1.0', notify_type: 'trade_status_sync', sign_type: 'RSA2', ...params };
  const content = Object.keys(all).filter((k) => k !== 'sign' && k !== 'sign_type' && all[k] !== '').sort().map((k) => `${k}=${all[k]}`).join('&');
  const signed = { ...all, sign: createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64') };
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(signed).toString(),
    params: signed,
  };
}
