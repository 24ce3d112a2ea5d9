import {
  anyHmacMatches, CallbackRequest, CallbackResponse, checkBodySize, checkFreshness, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS,
  firstString, jsonFailure, parseJson, pick, requiredHeader, requireString, VerificationError, VerifiedCallback, Verifier,
} from './types';

/** Secret, header and field names of a generic HMAC-SHA256 verifier. */
export interface HmacVerifierOptions {
  /**
   * The shared signing secrets, used as the HMAC key exactly as written (Stripe's `whsec_…`
   * included). Two while a secret is being rolled: a signature by either one verifies.
   */
  readonly signingSecrets: readonly string[];
  /** Header carrying `t=<unix seconds>,v1=<64 hex digits>[,v1=…]`. @default 'X-Signature' */
  readonly header?: string;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  /** Dotted path of the notification id. @default 'id' */
  readonly notificationIdField?: string;
  /** Dotted paths tried in order for the correlation id. @default ['data.object.metadata.correlation_id', 'correlation_id'] */
  readonly correlationIdFields?: readonly string[];
  /** Dotted path of the event type. @default 'type' */
  readonly typeField?: string;
  /** Provider type → CloudEvents type (unmapped types pass through). @default {} */
  readonly types?: Readonly<Record<string, string>>;
}

/** A HMAC-SHA256 digest is 32 bytes: exactly 64 hex digits, as Stripe's own libraries compare them. */
const V1_SIGNATURE = /^[0-9a-fA-F]{64}$/;

/**
 * Stripe's signature scheme, for Stripe itself and any sender that copies it: HMAC-SHA256 over
 * `<t>.<body>`, hex encoded, in `<header>: t=<unix>,v1=<hex>[,v1=<hex>…]`. Every `v1` must be
 * exactly 64 hex digits (a longer one is not truncated into a match); any one matching any
 * secret is enough (Stripe sends one `v1` per active secret while a secret is rolled). Compared
 * in constant time. Other schemes in the header (`v0=`, Stripe's test scheme) are ignored.
 * @see https://docs.stripe.com/webhooks#verify-manually
 */
export class HmacVerifier implements Verifier {
  readonly name = 'hmac';
  private readonly headerName: string;
  private readonly toleranceSeconds: number;
  private readonly maxBodyBytes: number;
  private readonly correlationIdFields: readonly string[];
  private readonly keys: Buffer[];

  constructor(private readonly options: HmacVerifierOptions) {
    this.keys = options.signingSecrets.filter((s) => typeof s === 'string' && s.length > 0).map((s) => Buffer.from(s, 'utf8'));
    if (this.keys.length === 0) throw new Error('signingSecrets must hold at least one non-empty secret, got none');
    this.headerName = options.header ?? 'X-Signature';
    this.toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.correlationIdFields = options.correlationIdFields ?? ['data.object.metadata.correlation_id', 'correlation_id'];
  }

  async verify(request: CallbackRequest): Promise<VerifiedCallback> {
    checkBodySize(request.body, this.maxBodyBytes);
    const { timestamp, signatures } = parseSignatureHeader(requiredHeader(request, this.headerName), this.headerName);
    checkFreshness(timestamp, request.now, this.toleranceSeconds);
    const given = signatures.map((hex) => Buffer.from(hex, 'hex'));
    if (!anyHmacMatches(this.keys, `${timestamp}.${request.body}`, given)) throw new VerificationError(401, 'bad_signature', `${this.headerName} does not match the body`);

    const payload = parseJson(request.body, 'body');
    const idField = this.options.notificationIdField ?? 'id';
    const typeField = this.options.typeField ?? 'type';
    const notificationId = requireString(pick(payload, idField), idField);
    const correlationId = firstString(payload, this.correlationIdFields);
    const rawType = requireString(pick(payload, typeField), typeField);
    return {
      notificationId,
      correlationId,
      type: this.options.types?.[rawType] ?? rawType,
      data: payload,
      ack: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' },
    };
  }

  respondFailure(error: VerificationError): CallbackResponse {
    return jsonFailure(error);
  }
}

/**
 * `t=<unix seconds>` once, and at least one `v1=<64 hex digits>`. A `v1` of any other length or
 * alphabet makes the header malformed rather than being cut to size.
 */
function parseSignatureHeader(value: string, name: string): { timestamp: number; signatures: string[] } {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(v)) throw malformed(name);
      timestamp = Number(v);
    } else if (key === 'v1') {
      if (!V1_SIGNATURE.test(v)) throw malformed(name);
      signatures.push(v);
    }
  }
  if (timestamp === undefined || signatures.length === 0) throw malformed(name);
  return { timestamp, signatures };
}

function malformed(name: string): VerificationError {
  return new VerificationError(400, 'malformed_header', `${name} must be t=<unix seconds>,v1=<64 hex digits>[,v1=…]`);
}
