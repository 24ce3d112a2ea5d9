import { createHmac, timingSafeEqual } from 'node:crypto';
/**
 * The verifier contract: a verifier turns one raw provider callback (headers + body) into a
 * verified, provider-neutral result, or throws a `VerificationError` carrying the HTTP status the
 * provider should get. Verifiers are pure (no I/O): keys are handed to their constructors.
 */

/** One raw HTTP callback as the gateway received it. */
export interface CallbackRequest {
  /** Request headers; names are matched case-insensitively. */
  readonly headers: Record<string, string | undefined>;
  /** The raw body exactly as sent (signatures are computed over it). */
  readonly body: string;
  /** The time to check timestamps against. */
  readonly now: Date;
}

/** The answer sent back to the provider. */
export interface CallbackResponse {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  /** Empty string for no body. */
  readonly body: string;
}

/** A callback whose signature, freshness and content were checked. */
export interface VerifiedCallback {
  /** The provider's id of this notification; a retried notification repeats it. */
  readonly notificationId: string;
  /** The caller's correlation id (for payments: the order number). */
  readonly correlationId: string;
  /** CloudEvents type of the result, e.g. `payment.succeeded` or `payment.failed`. */
  readonly type: string;
  /** The verified (and, where the provider encrypts, decrypted) payload. */
  readonly data: unknown;
  /** What to answer the provider once the result is safely published. */
  readonly ack: CallbackResponse;
}

/** A pluggable callback verifier for one provider. */
export interface Verifier {
  /** Short name, used in logs and the event source (`gateway/<provider>`). */
  readonly name: string;
  /** Verify one callback; throws `VerificationError` on any bad input. */
  verify(request: CallbackRequest): Promise<VerifiedCallback>;
  /** The provider-specific answer for a failure (status from the error). */
  respondFailure(error: VerificationError): CallbackResponse;
}

/** HTTP statuses a verification failure may carry. */
export type VerificationStatus = 400 | 401 | 404 | 405 | 413 | 415 | 500;

/**
 * A callback was rejected; `status` is what the provider gets, `code` a stable machine name.
 * `message` goes back to a caller nobody has authenticated yet, so it names the rule that failed
 * and nothing the caller could tune an attack with (no clock skew, no tolerance, no echoed
 * serial); `detail` carries those figures into the log only.
 */
export class VerificationError extends Error {
  constructor(
    public readonly status: VerificationStatus,
    public readonly code: string,
    message: string,
    /** Log-only fields (skew, tolerance, the serial sent…); never part of a response. */
    public readonly detail: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'VerificationError';
  }
}

export { DEFAULT_MAX_BODY_BYTES } from '../gateway-env';

/** Default tolerance between the callback's timestamp and the gateway's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Case-insensitive header lookup. */
export function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  // API Gateway HTTP APIs (payload 2.0) hand over lower-case names, so this is the usual hit.
  const direct = headers[wanted];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** A header's value, or 400 naming the missing header. */
export function requiredHeader(request: CallbackRequest, name: string): string {
  const value = header(request.headers, name);
  if (!value) throw new VerificationError(400, 'missing_header', `header ${name} is missing`);
  return value;
}

/** A unix time in whole seconds (at most 12 digits), or 400 naming where it came from. */
export function unixSeconds(value: string, name: string): number {
  if (!/^\d{1,12}$/.test(value)) throw new VerificationError(400, 'malformed_header', `${name} is not a unix time in seconds`);
  return Number(value);
}

/** Whether HMAC-SHA256 of `content` under any key equals any candidate digest (constant-time compare). */
export function anyHmacMatches(keys: readonly Buffer[], content: string, candidates: readonly Buffer[]): boolean {
  return keys.some((key) => {
    const expected = createHmac('sha256', key).update(content, 'utf8').digest();
    return candidates.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
}

/** Throws 413 when the body is over `maxBytes` (UTF-8 bytes, as on the wire). */
export function checkBodySize(body: string, maxBytes: number): void {
  const size = Buffer.byteLength(body, 'utf8');
  if (size > maxBytes) {
    throw new VerificationError(413, 'body_too_large', 'body is too large', { bodyBytes: size, maxBodyBytes: maxBytes });
  }
}

/**
 * Throws 401 when `timestampSeconds` is further than `toleranceSeconds` from `now`, in either
 * direction. The answer says only that the timestamp is outside the window; how far, and how wide
 * the window is, go to the log (a caller probing with forged timestamps learns nothing).
 */
export function checkFreshness(timestampSeconds: number, now: Date, toleranceSeconds: number): void {
  const skewSeconds = Math.round(now.getTime() / 1000 - timestampSeconds);
  if (Math.abs(skewSeconds) > toleranceSeconds) {
    throw new VerificationError(401, 'stale_timestamp', 'timestamp is outside the accepted window', { skewSeconds, toleranceSeconds });
  }
}

/** Parses JSON or throws 400. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VerificationError(400, 'malformed_json', `${what} is not valid JSON`, {}, { cause: e });
  }
}

/** Reads a dotted path (`data.object.id`) from a parsed JSON value. */
export function pick(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A non-empty string, or 400 naming the field. */
export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new VerificationError(400, 'missing_field', `field ${field} is missing or not a string`);
  }
  return value;
}

/** `{"error":"<code>","message":"…"}` with the error's status: the answer of senders that read JSON (Stripe, Standard Webhooks, HMAC). */
export function jsonFailure(error: VerificationError): CallbackResponse {
  return {
    statusCode: error.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: error.code, message: error.message }),
  };
}

/** The first string among `paths` in `payload`, or 400 naming them all. */
export function firstString(payload: unknown, paths: readonly string[]): string {
  const found = paths.map((p) => pick(payload, p)).find((v) => typeof v === 'string' && v.length > 0);
  return requireString(found, paths.join(' or '));
}
