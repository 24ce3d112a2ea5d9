import { createDecipheriv, createVerify, KeyObject } from 'node:crypto';
import { normalizeSerial, trustedKey, validAt, validityOf, type TrustedKey } from './trusted-key';
import {
  CallbackRequest, CallbackResponse, checkBodySize, checkFreshness, DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TOLERANCE_SECONDS, header, parseJson, requiredHeader, requireString, unixSeconds, VerificationError, VerifiedCallback, Verifier,
} from './types';

/** Keys and limits of a WeChat Pay API v3 verifier. */
export interface WechatPayVerifierOptions {
  /**
   * Platform keys by the serial WeChat Pay sends in `Wechatpay-Serial`: platform certificates
   * (PEM, serial = the certificate's serial number, checked against its validity dates) and/or
   * WeChat Pay public keys (PEM, serial `PUB_KEY_ID_…`, no expiry). Hold the old and the new
   * certificate together while WeChat Pay rotates, so rotation has no gap.
   */
  readonly platformCertificates: Record<string, string | KeyObject>;
  /** The merchant's API v3 key: exactly 32 bytes (UTF-8), used for AEAD_AES_256_GCM. */
  readonly apiV3Key: string;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
}

/** The encrypted `resource` of a WeChat Pay v3 notification. */
export interface WechatPayResource {
  readonly algorithm: string;
  readonly ciphertext: string;
  readonly nonce: string;
  readonly associated_data?: string;
  readonly original_type?: string;
}

const TAG_BYTES = 16;

/**
 * The only signature type the gateway verifies. WeChat Pay also defines SM2 with SM3
 * (`WECHATPAY2-SM2-WITH-SM3`, for merchants on the national algorithms), which is refused by
 * name rather than checked as RSA.
 * @see https://pay.weixin.qq.com/docs/partner/development/shangmi/guide.html
 */
export const WECHATPAY_RSA_SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';
const WECHATPAY_SM_SIGNATURE_TYPE = 'WECHATPAY2-SM2-WITH-SM3';

/**
 * WeChat Pay API v3 notifications: SHA256-RSA (PKCS#1 v1.5) over
 * `timestamp\nnonce\nbody\n` with the platform key named by `Wechatpay-Serial`, five minutes'
 * tolerance, then AEAD_AES_256_GCM decryption of `resource` with the API v3 key.
 * WeChat Pay expects 200/204 without a body on success and 4xx/5xx with
 * `{"code":"FAIL","message":"..."}` on failure (it then retries).
 * `Wechatpay-Signature-Type` must be absent or `WECHATPAY2-SHA256-RSA2048`; a platform
 * certificate verifies only between its notBefore and notAfter, judged by the clock that judges
 * `Wechatpay-Timestamp`.
 * @see https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_1.shtml (signature verification, `Wechatpay-Serial`)
 * @see https://pay.weixin.qq.com/docs/merchant/products/notification/introduction.html (notification, answer 200/204)
 * @see https://pay.weixin.qq.com/docs/partner/products/platform-certificate/update-pub-key.html (`PUB_KEY_ID_` public keys)
 */
export class WechatPayVerifier implements Verifier {
  readonly name = 'wechat-pay';
  private readonly keys: Map<string, TrustedKey>;
  private readonly apiV3Key: Buffer;
  private readonly toleranceSeconds: number;
  private readonly maxBodyBytes: number;

  constructor(options: WechatPayVerifierOptions) {
    this.apiV3Key = Buffer.from(options.apiV3Key, 'utf8');
    if (this.apiV3Key.length !== 32) {
      throw new Error(`apiV3Key must be 32 bytes, got ${this.apiV3Key.length}`);
    }
    this.keys = new Map(Object.entries(options.platformCertificates).map(([serial, value]) => {
      const trusted = trustedKey(value, `platformCertificates.${serial}`);
      if (trusted.certificateSerial !== undefined && trusted.certificateSerial !== normalizeSerial(serial)) {
        throw new Error(`platformCertificates.${serial} holds the certificate of serial ${trusted.certificateSerial}; key each certificate by its own serial`);
      }
      return [normalizeSerial(serial), trusted];
    }));
    if (this.keys.size === 0) {
      throw new Error('platformCertificates must hold at least one platform certificate or WeChat Pay public key, got none');
    }
    this.toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  async verify(request: CallbackRequest): Promise<VerifiedCallback> {
    checkBodySize(request.body, this.maxBodyBytes);
    const timestamp = requiredHeader(request, 'Wechatpay-Timestamp');
    const nonce = requiredHeader(request, 'Wechatpay-Nonce');
    const signature = requiredHeader(request, 'Wechatpay-Signature');
    const serial = requiredHeader(request, 'Wechatpay-Serial');
    checkSignatureType(header(request.headers, 'Wechatpay-Signature-Type'));
    checkFreshness(unixSeconds(timestamp, 'Wechatpay-Timestamp'), request.now, this.toleranceSeconds);
    const trusted = this.keys.get(normalizeSerial(serial));
    if (!trusted) throw new VerificationError(401, 'unknown_serial', 'Wechatpay-Serial names no platform key held here', { serial });
    if (!validAt(trusted, request.now)) {
      throw new VerificationError(401, 'certificate_not_valid', 'the platform certificate named by Wechatpay-Serial is expired or not yet valid', {
        serial, now: request.now.toISOString(), ...validityOf(trusted),
      });
    }
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${timestamp}\n${nonce}\n${request.body}\n`, 'utf8');
    if (!verifier.verify(trusted.key, signature, 'base64')) {
      throw new VerificationError(401, 'bad_signature', 'Wechatpay-Signature does not match the body');
    }

    const notification = parseJson(request.body, 'body');
    if (notification === null || typeof notification !== 'object') {
      throw new VerificationError(400, 'malformed_body', 'body is not a JSON object');
    }
    const n = notification as Record<string, unknown>;
    const notificationId = requireString(n.id, 'id');
    const resource = n.resource as WechatPayResource | undefined;
    if (!resource || typeof resource !== 'object') {
      throw new VerificationError(400, 'missing_field', 'field resource is missing');
    }
    if (resource.algorithm !== 'AEAD_AES_256_GCM') {
      throw new VerificationError(400, 'unsupported_algorithm', `resource.algorithm ${String(resource.algorithm)} is not AEAD_AES_256_GCM`);
    }
    const plaintext = decryptResource(resource, this.apiV3Key);
    const transaction = parseJson(plaintext, 'resource plaintext') as Record<string, unknown>;
    const correlationId = requireString(transaction?.out_trade_no, 'resource.out_trade_no');
    return {
      notificationId,
      correlationId,
      type: transaction.trade_state === 'SUCCESS' ? 'payment.succeeded' : 'payment.failed',
      data: {
        eventType: n.event_type,
        createTime: n.create_time,
        originalType: resource.original_type,
        transaction,
      },
      ack: { statusCode: 204, body: '' },
    };
  }

  respondFailure(error: VerificationError): CallbackResponse {
    return {
      statusCode: error.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'FAIL', message: error.message.slice(0, 256) }),
    };
  }
}

/** Absent or RSA passes; SM2/SM3 is refused as unsupported; anything else as unknown. */
function checkSignatureType(type: string | undefined): void {
  if (type === undefined || type === WECHATPAY_RSA_SIGNATURE_TYPE) return;
  if (type.toUpperCase() === WECHATPAY_SM_SIGNATURE_TYPE) {
    throw new VerificationError(400, 'unsupported_signature_type', `Wechatpay-Signature-Type ${WECHATPAY_SM_SIGNATURE_TYPE} is not supported, only ${WECHATPAY_RSA_SIGNATURE_TYPE}`);
  }
  throw new VerificationError(400, 'unsupported_signature_type', `Wechatpay-Signature-Type must be ${WECHATPAY_RSA_SIGNATURE_TYPE}`, { signatureType: type.slice(0, 64) });
}


/** AEAD_AES_256_GCM as WeChat Pay uses it: base64 ciphertext whose last 16 bytes are the tag. */
export function decryptResource(resource: WechatPayResource, apiV3Key: Buffer): string {
  const ciphertext = typeof resource.ciphertext === 'string' ? Buffer.from(resource.ciphertext, 'base64') : Buffer.alloc(0);
  if (ciphertext.length <= TAG_BYTES || typeof resource.nonce !== 'string') {
    throw new VerificationError(400, 'malformed_resource', 'resource.ciphertext or resource.nonce is missing or too short');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(resource.nonce, 'utf8'));
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (e) {
    // The tag did not authenticate: wrong key, or a ciphertext/nonce/associated data changed.
    throw new VerificationError(401, 'decryption_failed', 'resource could not be decrypted with the API v3 key', {}, { cause: e });
  }
}
