import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HmacVerifier, WechatPayVerifier, type Verifier } from './verifiers';

/**
 * How the gateway learns its providers: env `PROVIDERS` is JSON
 * `{ "<provider>": { "kind": "wechat-pay" | "hmac", "secretEnv": "<env var holding the secret ARN>", ...options } }`.
 * The ARN sits in its own variable so the template keeps a plain `Ref` the emulator can resolve.
 */
export type ProviderConfig =
  | { readonly kind: 'wechat-pay'; readonly secretEnv: string; readonly toleranceSeconds?: number }
  | {
    readonly kind: 'hmac'; readonly secretEnv: string; readonly header?: string; readonly toleranceSeconds?: number;
    readonly notificationIdField?: string; readonly correlationIdFields?: string[]; readonly typeField?: string;
    readonly types?: Record<string, string>;
  };

export function parseProviders(text: string | undefined): Record<string, ProviderConfig> {
  if (!text) return {};
  return JSON.parse(text) as Record<string, ProviderConfig>;
}

/** Loads a JSON secret by ARN or name. */
export type SecretLoader = (secretId: string) => Promise<Record<string, unknown>>;

/** Builds the verifier of a provider from its secret's JSON. */
export function createVerifier(config: ProviderConfig, secret: Record<string, unknown>, maxBodyBytes?: number): Verifier {
  if (config.kind === 'wechat-pay') {
    return new WechatPayVerifier({
      platformCertificates: (secret.platformCertificates ?? {}) as Record<string, string>,
      apiV3Key: String(secret.apiV3Key ?? ''),
      toleranceSeconds: config.toleranceSeconds,
      maxBodyBytes,
    });
  }
  const { kind: _kind, secretEnv: _secretEnv, ...options } = config;
  return new HmacVerifier({ ...options, signingSecret: String(secret.signingSecret ?? ''), maxBodyBytes });
}

/**
 * A per-container verifier cache. Secrets are re-read after `ttlMs` so a rotated platform
 * certificate is picked up without a deploy; a failed read is not cached.
 */
export function verifierRegistry(
  providers: Record<string, ProviderConfig>,
  env: Record<string, string | undefined>,
  load: SecretLoader,
  options: { maxBodyBytes?: number; ttlMs?: number; now?: () => number } = {},
): (provider: string) => Promise<Verifier | undefined> {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; verifier: Promise<Verifier> }>();
  return async (provider) => {
    if (!Object.prototype.hasOwnProperty.call(providers, provider)) return undefined;
    const cached = cache.get(provider);
    if (cached && now() - cached.at < ttlMs) return cached.verifier;
    const config = providers[provider];
    const secretId = env[config.secretEnv];
    if (!secretId) throw new Error(`provider ${provider}: env ${config.secretEnv} (secret ARN) is not set`);
    const verifier = load(secretId).then((secret) => createVerifier(config, secret, options.maxBodyBytes));
    cache.set(provider, { at: now(), verifier });
    verifier.catch(() => cache.delete(provider));
    return verifier;
  };
}

let client: SecretsManagerClient | undefined;

/** Secrets Manager GetSecretValue; AWS_ENDPOINT_URL_SECRETS_MANAGER points it at the local stand-in. */
export const loadSecretJson: SecretLoader = async (secretId) => {
  if (!client) {
    const endpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    client = new SecretsManagerClient(endpoint ? { endpoint } : {});
  }
  const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!result.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
  return JSON.parse(result.SecretString) as Record<string, unknown>;
};
