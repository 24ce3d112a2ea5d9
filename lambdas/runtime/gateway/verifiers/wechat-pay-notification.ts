import { createCipheriv, createSign, KeyObject, randomBytes, randomUUID } from 'node:crypto';

/**
 * The provider's side of a WeChat Pay v3 notification: encrypt the transaction into `resource`
 * and sign the body. Used by the simulated provider, tests and the benchmark — never by the gateway.
 */
export interface SignedNotification {
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface WechatPayNotificationOptions {
  /** The transaction to encrypt (needs `out_trade_no` and `trade_state`). */
  readonly transaction: Record<string, unknown>;
  /** Platform private key (PEM or KeyObject) the gateway holds the public half of. */
  readonly privateKey: string | KeyObject;
  /** Serial number of that key. */
  readonly serial: string;
  /** 32-byte API v3 key. */
  readonly apiV3Key: string;
  /** @default a random UUID */
  readonly notificationId?: string;
  /** @default now */
  readonly timestamp?: Date;
}

export function encryptResource(plaintext: string, apiV3Key: string, associatedData = 'transaction') {
  const nonce = randomBytes(6).toString('hex'); // 12 characters, as WeChat Pay sends
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    original_type: 'transaction',
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: ciphertext.toString('base64'),
    associated_data: associatedData,
    nonce,
  };
}

/** Signs `timestamp\nnonce\nbody\n` with SHA256-RSA and returns the four Wechatpay-* headers. */
export function signWechatPay(body: string, privateKey: string | KeyObject, serial: string, timestamp = new Date()): Record<string, string> {
  const ts = String(Math.floor(timestamp.getTime() / 1000));
  const nonce = randomBytes(16).toString('hex');
  const signer = createSign('RSA-SHA256');
  signer.update(`${ts}\n${nonce}\n${body}\n`, 'utf8');
  return {
    'content-type': 'application/json',
    'wechatpay-timestamp': ts,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': signer.sign(privateKey, 'base64'),
    'wechatpay-serial': serial,
    'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

export function buildWechatPayNotification(options: WechatPayNotificationOptions): SignedNotification {
  const success = options.transaction.trade_state === 'SUCCESS';
  const createTime = options.timestamp ?? new Date();
  const body = JSON.stringify({
    id: options.notificationId ?? randomUUID(),
    create_time: createTime.toISOString(),
    resource_type: 'encrypt-resource',
    event_type: success ? 'TRANSACTION.SUCCESS' : 'TRANSACTION.FAIL',
    summary: success ? 'payment succeeded' : 'payment failed',
    resource: encryptResource(JSON.stringify(options.transaction), options.apiV3Key),
  });
  return { headers: signWechatPay(body, options.privateKey, options.serial, options.timestamp), body };
}
