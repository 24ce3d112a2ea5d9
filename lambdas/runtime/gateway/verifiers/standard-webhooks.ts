import {
  anyHmacMatches, CallbackRequest, CallbackResponse, checkBodySize, checkFreshness, DEFAULT_MAX_BODY_BYTES, DEFAULT_TOLERANCE_SECONDS,
  firstString, jsonFailure, parseJson, pick, requiredHeader, requireString, unixSeconds, VerificationError, VerifiedCallback, Verifier,
} from './types';

/** Secrets and field names of a Standard Webhooks verifier. */
export interface StandardWebhooksVerifierOptions {
  /**
   * Signing secrets as senders hand them out: `whsec_` followed by the base64 key (a secret
   * without the prefix is taken as base64 too). Two while a secret is rotated.
   */
  readonly signingSecrets: readonly string[];
  /** @default 300 (the specification's five minutes) */
  readonly toleranceSeconds?: number;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  /** Dotted paths tried in order for the correlation id. @default ['data.correlation_id', 'correlation_id'] */
  readonly correlationIdFields?: readonly string[];
  /** Dotted path of the event type. @default 'type' */
  readonly typeField?: string;
  /** Sender type → CloudEvents type (unmapped types pass through). @default {} */
  readonly types?: Readonly<Record<string, string>>;
}

const SECRET_PREFIX = 'whsec_';
/** `v1,` + the base64 of a 32-byte HMAC-SHA256: 43 characters and one `=`. */
const V1_SIGNATURE = /^v1,([A-Za-z0-9+/]{43}=)$/;
/** The specification's message ids are short printable tokens (`msg_…`); the id is also the dedupe key. */
const WEBHOOK_ID = /^[\x21-\x7e]{1,256}$/;

/**
 * The Standard Webhooks specification (Svix and many SaaS senders): headers `webhook-id`,
 * `webhook-timestamp` (unix seconds) and `webhook-signature`, a space-separated list of
 * `<version>,<base64>` of which the `v1` entries are HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>` keyed with the base64-decoded secret. Any `v1`
 * matching any secret verifies; other versions (`v1a`, asymmetric) are skipped. The dedupe key is
 * `webhook-id`, which a retried message repeats.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
export class StandardWebhooksVerifier implements Verifier {
  readonly name = 'standard-webhooks';
  private readonly keys: Buffer[];
  private readonly toleranceSeconds: number;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: StandardWebhooksVerifierOptions) {
    this.keys = options.signingSecrets.map((secret, i) => decodeSecret(secret, `signingSecrets[${i}]`));
    if (this.keys.length === 0) throw new Error('signingSecrets must hold at least one whsec_ secret, got none');
    this.toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  async verify(request: CallbackRequest): Promise<VerifiedCallback> {
    checkBodySize(request.body, this.maxBodyBytes);
    const id = requiredHeader(request, 'webhook-id');
    const timestamp = requiredHeader(request, 'webhook-timestamp');
    const signatureList = requiredHeader(request, 'webhook-signature');
    if (!WEBHOOK_ID.test(id)) throw new VerificationError(400, 'malformed_header', 'webhook-id must be 1-256 printable characters');
    const seconds = unixSeconds(timestamp, 'webhook-timestamp');
    const signatures: Buffer[] = [];
    for (const entry of signatureList.split(' ').filter(Boolean)) {
      if (!entry.startsWith('v1,')) continue;
      const match = V1_SIGNATURE.exec(entry);
      if (!match) throw new VerificationError(400, 'malformed_header', 'a v1 entry of webhook-signature must be v1,<base64 of 32 bytes>');
      signatures.push(Buffer.from(match[1], 'base64'));
    }
    if (signatures.length === 0) throw new VerificationError(400, 'malformed_header', 'webhook-signature holds no v1 signature');
    checkFreshness(seconds, request.now, this.toleranceSeconds);
    if (!anyHmacMatches(this.keys, `${id}.${timestamp}.${request.body}`, signatures)) throw new VerificationError(401, 'bad_signature', 'webhook-signature does not match the body');

    const payload = parseJson(request.body, 'body');
    const typeField = this.options.typeField ?? 'type';
    const rawType = requireString(pick(payload, typeField), typeField);
    return {
      notificationId: id,
      correlationId: firstString(payload, this.options.correlationIdFields ?? ['data.correlation_id', 'correlation_id']),
      type: this.options.types?.[rawType] ?? rawType,
      data: payload,
      ack: { statusCode: 204, body: '' },
    };
  }

  respondFailure(error: VerificationError): CallbackResponse {
    return jsonFailure(error);
  }
}

/** `whsec_<base64>` → the key bytes; rejects what is not base64 rather than keying with garbage. */
function decodeSecret(secret: string, what: string): Buffer {
  const body = typeof secret === 'string' && secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (typeof body !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new Error(`${what} must be whsec_ followed by base64 (a multiple of 4 characters), got a ${typeof secret} that is not`);
  }
  return Buffer.from(body, 'base64');
}
