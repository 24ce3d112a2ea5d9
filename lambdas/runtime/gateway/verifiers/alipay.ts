import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { pemCertificates, trustedKey, validAt, validityOf, type TrustedKey } from './trusted-key';
import {
  CallbackRequest, CallbackResponse, checkBodySize, DEFAULT_MAX_BODY_BYTES, header, requireString,
  VerificationError, VerifiedCallback, Verifier,
} from './types';

/** Keys of an Alipay verifier: public-key mode, certificate mode, or both during a change of mode. */
export interface AlipayVerifierOptions {
  /** Public-key mode: Alipay public keys (PEM, or the bare base64 the console shows). Several while Alipay rotates. */
  readonly alipayPublicKeys?: readonly string[];
  /**
   * Certificate mode: Alipay public key certificates (`alipayCertPublicKey_RSA2.crt`, PEM; a file
   * may hold its chain, leaf first). Each verifies only within its validity dates; several may
   * be held while Alipay re-issues its certificate.
   */
  readonly alipayCertificates?: readonly string[];
  /** Certificate mode: Alipay root certificates (`alipayRootCert.crt`); when given, every certificate must chain to one. */
  readonly alipayRootCertificate?: string;
  /** The merchant's app id; when set, a notification for another `app_id` is refused. */
  readonly appId?: string;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
}

/** An Alipay key with the SN Alipay names its certificate by (`alipay_cert_sn`). */
interface AlipayKey extends TrustedKey {
  readonly alipaySn?: string;
}

/**
 * Alipay `trade_status` → result type. Alipay has no failure status: an unpaid trade ends
 * TRADE_CLOSED (closed by timeout, or fully refunded after payment).
 * @see https://docs.open.alipay.com/204/105301/ (notification parameters and trade status)
 */
export const ALIPAY_TRADE_TYPES: Readonly<Record<string, string>> = {
  TRADE_SUCCESS: 'payment.succeeded',
  TRADE_FINISHED: 'payment.succeeded',
  TRADE_CLOSED: 'payment.closed',
  WAIT_BUYER_PAY: 'payment.pending',
};

const FORM = 'application/x-www-form-urlencoded';
const MAX_CHAIN_DEPTH = 5;

/**
 * Alipay asynchronous notifications (`notify_url`): a form-encoded POST signed RSA2
 * (SHA256withRSA, base64 in `sign`) over every parameter except `sign` and `sign_type` whose
 * value is not empty, sorted by name and joined as `k=v` with `&`, values as decoded. Verified
 * with the Alipay public key (public-key mode) or the key of an Alipay public key certificate
 * valid at the time (certificate mode; `alipay_cert_sn`, when sent, picks the certificate).
 * Alipay keeps re-sending until it reads the plain text `success`: 25 hours, 8 times; every
 * other answer means "again". Dedupe key `notify_id`, correlation id `out_trade_no`.
 * Alipay signs no delivery time, so there is no freshness window: a replay within the gateway's
 * dedupe retention is acknowledged and not published again.
 * @see https://docs.open.alipay.com/270/105902/ (asynchronous notification: answer `success`, retry schedule, notify_id)
 * @see https://docs.open.alipay.com/291/106074 (verifying with the Alipay public key, public-key and certificate modes)
 */
export class AlipayVerifier implements Verifier {
  readonly name = 'alipay';
  private readonly keys: AlipayKey[];
  private readonly maxBodyBytes: number;

  constructor(private readonly options: AlipayVerifierOptions) {
    const roots = options.alipayRootCertificate ? pemCertificates(options.alipayRootCertificate) : undefined;
    if (roots && roots.length === 0) throw new Error('alipayRootCertificate holds no PEM certificate');
    this.keys = [
      ...(options.alipayPublicKeys ?? []).map((pem, i) => trustedKey(pem, `alipayPublicKeys[${i}]`)),
      ...(options.alipayCertificates ?? []).map((pem, i) => certificateKey(pem, `alipayCertificates[${i}]`, roots)),
    ];
    if (this.keys.length === 0) throw new Error('an Alipay secret must hold alipayPublicKeys or alipayCertificates, got neither');
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  async verify(request: CallbackRequest): Promise<VerifiedCallback> {
    checkBodySize(request.body, this.maxBodyBytes);
    const contentType = header(request.headers, 'content-type');
    if (contentType !== undefined && !contentType.toLowerCase().startsWith(FORM)) {
      throw new VerificationError(415, 'unsupported_media_type', `body must be ${FORM}`);
    }
    const params = parseForm(request.body);
    const sign = requireString(params.get('sign'), 'sign');
    const signType = params.get('sign_type');
    if (signType !== 'RSA2') {
      throw new VerificationError(400, 'unsupported_sign_type', 'sign_type must be RSA2 (SHA256withRSA)', { signType: signType?.slice(0, 16) });
    }
    const charset = params.get('charset');
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      throw new VerificationError(400, 'unsupported_charset', 'charset must be utf-8', { charset: charset.slice(0, 16) });
    }

    const candidates = this.keysFor(params.get('alipay_cert_sn'), request.now);
    const content = signedContent(params);
    const verified = candidates.some((k) => createVerify('RSA-SHA256').update(content, 'utf8').verify(k.key, sign, 'base64'));
    if (!verified) throw new VerificationError(401, 'bad_signature', 'sign does not match the parameters');

    const appId = params.get('app_id');
    if (this.options.appId !== undefined && appId !== this.options.appId) {
      throw new VerificationError(400, 'wrong_app_id', 'app_id is not this merchant\'s app', { appId });
    }
    const tradeStatus = requireString(params.get('trade_status'), 'trade_status');
    const type = ALIPAY_TRADE_TYPES[tradeStatus];
    if (!type) throw new VerificationError(400, 'unknown_trade_status', `trade_status must be one of ${Object.keys(ALIPAY_TRADE_TYPES).join(', ')}`, { tradeStatus });
    const notification: Record<string, string> = {};
    for (const [k, v] of params) if (k !== 'sign') notification[k] = v;
    return {
      notificationId: requireString(params.get('notify_id'), 'notify_id'),
      correlationId: requireString(params.get('out_trade_no'), 'out_trade_no'),
      type,
      data: { tradeStatus, notification },
      ack: { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' },
    };
  }

  /** Anything but `success` makes Alipay send again; the reason is for a person reading it. */
  respondFailure(error: VerificationError): CallbackResponse {
    return { statusCode: error.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `fail: ${error.message}` };
  }

  /** The keys that may have signed: the certificate `alipay_cert_sn` names, else every key valid now. */
  private keysFor(certSn: string | undefined, now: Date): AlipayKey[] {
    const named = certSn ? this.keys.filter((k) => k.alipaySn === certSn) : [];
    if (certSn && named.length === 0 && this.keys.some((k) => k.alipaySn)) {
      throw new VerificationError(401, 'unknown_certificate', 'alipay_cert_sn names no Alipay certificate held here', { certSn });
    }
    const pool = named.length > 0 ? named : this.keys;
    const valid = pool.filter((k) => validAt(k, now));
    if (valid.length === 0) {
      throw new VerificationError(401, 'certificate_not_valid', 'no Alipay certificate held here is valid now', {
        now: now.toISOString(), certificates: pool.map(validityOf),
      });
    }
    return valid;
  }
}

/** `k=v` of every parameter but `sign` and `sign_type` with a non-empty value, sorted by name, joined by `&`. */
export function signedContent(params: Map<string, string>): string {
  return [...params.keys()]
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params.get(k) !== '')
    .sort()
    .map((k) => `${k}=${params.get(k)}`)
    .join('&');
}

/** Form body → parameters; a name given twice is refused (which one was signed?). */
function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) {
    if (params.has(k)) throw new VerificationError(400, 'malformed_body', `parameter ${k.slice(0, 64)} appears more than once`);
    params.set(k, v);
  }
  if (params.size === 0) throw new VerificationError(400, 'malformed_body', `body is not ${FORM}`);
  return params;
}

function certificateKey(pem: string, what: string, roots: X509Certificate[] | undefined): AlipayKey {
  const chain = pemCertificates(pem);
  if (chain.length === 0) throw new Error(`${what} holds no PEM certificate`);
  if (roots) checkChain(chain, roots, what);
  return { ...trustedKey(pem, what), alipaySn: alipayCertSn(chain[0]) };
}

/** Walks from the leaf through the file's own intermediates to one of the roots, checking each signature. */
function checkChain(chain: X509Certificate[], roots: X509Certificate[], what: string): void {
  let current = chain[0];
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    if (roots.some((r) => current.checkIssued(r) && current.verify(r.publicKey))) return;
    const issuer = chain.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) break;
    current = issuer;
  }
  throw new Error(`${what} does not chain to alipayRootCertificate`);
}

/**
 * Alipay's certificate SN: MD5 hex of the issuer's attributes in reverse order (`CN=…,OU=…,O=…,C=…`)
 * followed by the serial number in decimal. The notification names its certificate by this SN.
 * The same rule as alipay-sdk's `getSN` (alipay-sdk/src/antcertutil.ts), against which the tests check it.
 */
export function alipayCertSn(certificate: X509Certificate): string {
  const issuer = certificate.issuer.split('\n').filter(Boolean).reverse().join(',');
  const serial = BigInt(`0x${certificate.serialNumber}`).toString(10);
  return createHash('md5').update(issuer + serial, 'utf8').digest('hex');
}
