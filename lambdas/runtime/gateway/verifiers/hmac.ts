import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  CallbackRequest, CallbackResponse, checkBodySize, checkFreshness, DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TOLERANCE_SECONDS, header, parseJson, pick, requireString, VerificationError, VerifiedCallback, Verifier,
} from './types';

/** Secret, header and field names of a generic HMAC-SHA256 verifier. */
export interface HmacVerifierOptions {
  /** The shared signing secret. */
  readonly signingSecret: string;
  /** Header carrying `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`. @default 'X-Signature' */
  readonly header?: string;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  /** Dotted path of the notification id. @default 'id' */
  readonly notificationIdField?: string;
  /** Dotted paths tried in order for the correlation id. @default ['data.object.metadata.correlation_id', 'correlation_id'] */
  readonly correlationIdFields?: string[];
  /** Dotted path of the event type. @default 'type' */
  readonly typeField?: string;
  /** Provider type → CloudEvents type (unmapped types pass through). @default {} */
  readonly types?: Record<string, string>;
}

/**
 * Stripe-style signatures: HMAC-SHA256 over `<t>.<body>`, hex encoded, in
 * `X-Signature: t=<unix>,v1=<hex>`. Several `v1` entries are allowed (secret rotation); any one
 * matching is enough. Compared in constant time.
 */
export class HmacVerifier implements Verifier {
  readonly name = 'hmac';
  private readonly headerName: string;
  private readonly toleranceSeconds: number;
  private readonly maxBodyBytes: number;
  private readonly correlationIdFields: string[];

  constructor(private readonly options: HmacVerifierOptions) {
    if (!options.signingSecret) throw new Error('signingSecret must not be empty');
    this.headerName = options.header ?? 'X-Signature';
    this.toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.correlationIdFields = options.correlationIdFields ?? ['data.object.metadata.correlation_id', 'correlation_id'];
  }

  async verify(request: CallbackRequest): Promise<VerifiedCallback> {
    checkBodySize(request.body, this.maxBodyBytes);
    const value = header(request.headers, this.headerName);
    if (!value) throw new VerificationError(400, 'missing_header', `header ${this.headerName} is missing`);
    const { timestamp, signatures } = parseSignatureHeader(value, this.headerName);
    checkFreshness(timestamp, request.now, this.toleranceSeconds);
    const expected = Buffer.from(hmacHex(this.options.signingSecret, timestamp, request.body), 'hex');
    const matches = signatures.some((candidate) => {
      const given = Buffer.from(candidate, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!matches) throw new VerificationError(401, 'bad_signature', `${this.headerName} does not match the body`);

    const payload = parseJson(request.body, 'body');
    const notificationId = requireString(pick(payload, this.options.notificationIdField ?? 'id'), this.options.notificationIdField ?? 'id');
    const correlation = this.correlationIdFields.map((f) => pick(payload, f)).find((v) => typeof v === 'string' && v.length > 0);
    const correlationId = requireString(correlation, this.correlationIdFields.join(' or '));
    const rawType = requireString(pick(payload, this.options.typeField ?? 'type'), this.options.typeField ?? 'type');
    return {
      notificationId,
      correlationId,
      type: this.options.types?.[rawType] ?? rawType,
      data: payload,
      ack: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' },
    };
  }

  respondFailure(error: VerificationError): CallbackResponse {
    return {
      statusCode: error.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: error.code, message: error.message }),
    };
  }
}

export function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The header value a sender puts on `body` (the sender's side; tests, benchmark). */
export function signHmac(body: string, secret: string, timestamp = new Date()): string {
  const t = Math.floor(timestamp.getTime() / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

function parseSignatureHeader(value: string, name: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (key === 'v1' && /^[0-9a-fA-F]+$/.test(v)) signatures.push(v);
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw new VerificationError(400, 'malformed_header', `${name} must be t=<unix seconds>,v1=<hex>`);
  }
  return { timestamp, signatures };
}
