import { createEvent, type CloudEvent } from '../cloudevents';
import { checkBodySize, DEFAULT_MAX_BODY_BYTES, VerificationError, type CallbackResponse, type Verifier } from './verifiers';

/** One HTTP request as the gateway sees it (API Gateway HTTP API payload v2, decoded). */
export interface GatewayRequest {
  readonly method: string;
  /** The `{provider}` path parameter. */
  readonly provider: string | undefined;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

/** Outcome of claiming a notification in the dedupe store. */
export type ClaimResult = 'claimed' | 'published' | 'in-progress';

/** Remembers which notifications were published, so a repeated one is published once. */
export interface DedupeStore {
  /** Claims `key` for publishing (conditional write). */
  claim(key: string, now: Date): Promise<ClaimResult>;
  /** The claim's event is on the results topic. */
  markPublished(key: string, now: Date): Promise<void>;
  /** Gives the claim back so the provider's retry publishes (publish failed). */
  release(key: string): Promise<void>;
}

export interface GatewayDeps {
  /** The verifier of a provider, or undefined when the gateway has no such provider. */
  verifierFor(provider: string): Promise<Verifier | undefined>;
  readonly dedupe: DedupeStore;
  /** Publishes to the results topic keyed by `key` (the correlation id). */
  publish(event: CloudEvent, key: string): Promise<void>;
  now(): Date;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  /** Called for every rejected or failed callback (logging). */
  onRejected?(provider: string | undefined, error: VerificationError | Error): void;
}

/** `data` of a result event on the results topic. */
export interface PaymentResultData {
  readonly provider: string;
  readonly correlationId: string;
  readonly notificationId: string;
  /** The verified (decrypted) provider payload. */
  readonly payload: unknown;
}

export interface GatewayResponse extends CallbackResponse {
  /** What happened, for logs and tests; never sent. */
  readonly outcome: 'published' | 'duplicate' | 'rejected' | 'failed';
}

const PLAIN_JSON = { 'content-type': 'application/json' };

/** The deterministic CloudEvent id: a repeated notification produces the same id. */
export function resultEventId(provider: string, notificationId: string): string {
  return `${provider}:${notificationId}`;
}

/**
 * Verify one provider callback and publish its result once.
 * Order matters: size → route → verify → claim in the dedupe table → publish → mark published.
 * The claim comes before the publish and is released if the publish fails, so the provider's
 * retry publishes: nothing is lost and nothing is published twice.
 */
export async function handleCallback(request: GatewayRequest, deps: GatewayDeps): Promise<GatewayResponse> {
  const provider = request.provider;
  if (!provider) return generic(404, 'not_found', 'no provider in the path');
  let verifier: Verifier | undefined;
  try {
    verifier = await deps.verifierFor(provider);
  } catch (err) {
    // The provider's secret could not be read or holds no usable key: a 5xx makes the provider
    // retry, so nothing is lost while an operator puts the key in (the log says what is missing).
    deps.onRejected?.(provider, err as Error);
    return { ...generic(500, 'provider_unavailable', 'the provider is not available, retry later'), outcome: 'failed' };
  }
  if (!verifier) return generic(404, 'unknown_provider', 'no such provider');
  if (request.method.toUpperCase() !== 'POST') {
    return { ...generic(405, 'method_not_allowed', `${request.method} is not allowed, use POST`), headers: { ...PLAIN_JSON, allow: 'POST' } };
  }

  let verified;
  try {
    checkBodySize(request.body, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    verified = await verifier.verify({ headers: request.headers, body: request.body, now: deps.now() });
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err;
    deps.onRejected?.(provider, err);
    return { ...verifier.respondFailure(err), outcome: 'rejected' };
  }

  const key = resultEventId(provider, verified.notificationId);
  const claim = await deps.dedupe.claim(key, deps.now());
  if (claim === 'published') return { ...verified.ack, outcome: 'duplicate' };
  if (claim === 'in-progress') {
    // Another delivery of the same notification is publishing right now; the provider retries.
    const busy = new VerificationError(500, 'in_progress', 'the same notification is being processed, retry later');
    return { ...verifier.respondFailure(busy), outcome: 'failed' };
  }

  const event = createEvent<PaymentResultData>({
    id: key,
    type: verified.type,
    source: `gateway/${provider}`,
    subject: verified.correlationId,
    data: { provider, correlationId: verified.correlationId, notificationId: verified.notificationId, payload: verified.data },
    extensions: { provider: provider.replace(/[^a-z0-9]/g, '').slice(0, 20) || 'provider' },
  });
  try {
    await deps.publish(event, verified.correlationId);
  } catch (err) {
    await deps.dedupe.release(key).catch(() => undefined);
    deps.onRejected?.(provider, err as Error);
    return { ...verifier.respondFailure(new VerificationError(500, 'publish_failed', 'result not published, retry later')), outcome: 'failed' };
  }
  // The event is out; if this write fails the claim expires and a retry may publish again
  // with the same event id, which consumers deduplicate.
  await deps.dedupe.markPublished(key, deps.now()).catch((err) => deps.onRejected?.(provider, err as Error));
  return { ...verified.ack, outcome: 'published' };
}

function generic(statusCode: number, code: string, message: string): GatewayResponse {
  return { statusCode, headers: PLAIN_JSON, body: JSON.stringify({ code, message }), outcome: 'rejected' };
}
