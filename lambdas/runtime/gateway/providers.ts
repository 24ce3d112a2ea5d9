import { DEFAULT_SECRET_CACHE_SECONDS, type ProviderConfig } from './gateway-env';
import { AlipayVerifier, HmacVerifier, StandardWebhooksVerifier, WechatPayVerifier, type Verifier } from './verifiers';

export { parseProviders } from './gateway-env';
export { loadSecretString } from '../secrets';
export type { ProviderConfig } from './gateway-env';

/**
 * Stripe event types the `stripe` kind maps by default; other types pass through unchanged.
 * @see https://docs.stripe.com/api/events/types
 */
export const STRIPE_TYPES: Readonly<Record<string, string>> = {
  'payment_intent.succeeded': 'payment.succeeded',
  'payment_intent.payment_failed': 'payment.failed',
  'payment_intent.canceled': 'payment.closed',
};

/** Where Stripe events carry the caller's correlation id: the metadata the caller set, or a Checkout Session's reference. */
export const STRIPE_CORRELATION_FIELDS = ['data.object.metadata.correlation_id', 'data.object.client_reference_id'];

/** Reads a secret's SecretString by ARN or name. */
export type SecretLoader = (secretId: string) => Promise<string>;

/**
 * Builds the verifier of a provider from its secret's JSON. Keys and certificates are parsed
 * here, once per secret value; a secret without a usable key throws (the gateway answers 500, so
 * the provider retries once the key is in).
 */
export function createVerifier(config: ProviderConfig, secret: Record<string, unknown>, maxBodyBytes?: number): Verifier {
  switch (config.kind) {
    case 'wechat-pay':
      return new WechatPayVerifier({
        platformCertificates: (secret.platformCertificates ?? {}) as Record<string, string>,
        apiV3Key: String(secret.apiV3Key ?? ''),
        toleranceSeconds: config.toleranceSeconds,
        maxBodyBytes,
      });
    case 'hmac': {
      const { kind: _kind, secretEnv: _secretEnv, ...options } = config;
      return new HmacVerifier({ ...options, signingSecrets: signingSecrets(secret), maxBodyBytes });
    }
    case 'stripe':
      // Stripe signs `Stripe-Signature: t=…,v1=…` with the endpoint's whsec_ secret as the HMAC key.
      return new HmacVerifier({
        header: 'Stripe-Signature',
        signingSecrets: signingSecrets(secret),
        toleranceSeconds: config.toleranceSeconds,
        correlationIdFields: config.correlationIdFields ?? STRIPE_CORRELATION_FIELDS,
        typeField: config.typeField,
        types: config.types ?? STRIPE_TYPES,
        maxBodyBytes,
      });
    case 'standard-webhooks': {
      const { kind: _kind, secretEnv: _secretEnv, ...options } = config;
      return new StandardWebhooksVerifier({ ...options, signingSecrets: signingSecrets(secret), maxBodyBytes });
    }
    case 'alipay':
      return new AlipayVerifier({
        alipayPublicKeys: strings(secret.alipayPublicKeys, secret.alipayPublicKey),
        alipayCertificates: strings(secret.alipayCertificates, secret.alipayCertificate),
        alipayRootCertificate: typeof secret.alipayRootCertificate === 'string' ? secret.alipayRootCertificate : undefined,
        appId: config.appId,
        maxBodyBytes,
      });
    default:
      throw new Error(`provider kind ${JSON.stringify((config as { kind?: unknown }).kind)} is not one of wechat-pay, hmac, stripe, standard-webhooks, alipay`);
  }
}

/** `signingSecrets: [...]` (current and, while rolling, previous) and/or a single `signingSecret`. */
function signingSecrets(secret: Record<string, unknown>): string[] {
  return strings(secret.signingSecrets, secret.signingSecret);
}

function strings(list: unknown, single: unknown): string[] {
  const all = [...(Array.isArray(list) ? list : []), ...(single === undefined ? [] : [single])];
  return all.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Options of a verifier registry. */
export interface VerifierRegistryOptions {
  readonly maxBodyBytes?: number;
  /** How long a secret value is used before it is read again. @default DEFAULT_SECRET_CACHE_SECONDS × 1000 */
  readonly ttlMs?: number;
  /** The clock of the cache (tests advance it). @default Date.now */
  readonly now?: () => number;
  /** A refresh failed and the previous keys stay in use for another period. */
  readonly onStale?: (provider: string, error: Error) => void;
}

interface CachedSecret {
  readonly text: string;
  readonly verifier: Verifier;
}

/**
 * A per-container verifier cache. A provider's secret is read again once `ttlMs` has passed, so
 * a rotated key takes effect within that time without a deploy. Keys are parsed only when the
 * secret's value changed. If a refresh fails, the last good keys serve another period (a
 * Secrets Manager hiccup does not turn valid callbacks away); a first read that fails is not
 * cached.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_cache-java.html (client-side caching; AWS's caches refresh hourly by default)
 */
export function verifierRegistry(
  providers: Readonly<Record<string, ProviderConfig>>,
  env: Record<string, string | undefined>,
  load: SecretLoader,
  options: VerifierRegistryOptions = {},
): (provider: string) => Promise<Verifier | undefined> {
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_CACHE_SECONDS * 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly loadedAt: number; readonly value: Promise<CachedSecret> }>();
  return async (provider) => {
    if (!Object.prototype.hasOwnProperty.call(providers, provider)) return undefined;
    const cached = cache.get(provider);
    if (cached && now() - cached.loadedAt < ttlMs) return (await cached.value).verifier;
    const config = providers[provider];
    const secretId = env[config.secretEnv];
    if (!secretId) throw new Error(`provider ${provider}: environment variable ${config.secretEnv} (secret ARN) is not set`);
    const previous = cached?.value.catch(() => undefined);
    const value = (async (): Promise<CachedSecret> => {
      const last = await previous;
      let text: string;
      try {
        text = await load(secretId);
      } catch (err) {
        if (!last) throw err;
        options.onStale?.(provider, err as Error);
        return last;
      }
      if (last && last.text === text) return last;
      return { text, verifier: createVerifier(config, parseSecret(provider, text), options.maxBodyBytes) };
    })();
    const entry = { loadedAt: now(), value };
    cache.set(provider, entry);
    value.catch(() => { if (cache.get(provider) === entry) cache.delete(provider); });
    return (await value).verifier;
  };
}

function parseSecret(provider: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`provider ${provider}: the secret is not JSON`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`provider ${provider}: the secret is not a JSON object`);
  return parsed as Record<string, unknown>;
}
