/**
 * The gateway function's environment: written by the CallbackGateway construct
 * (lib/gateway/callback-gateway.ts) and read by the gateway function through these names only.
 * Nothing here imports the AWS SDK or aws-cdk-lib, so both sides can use it.
 */
import { EnvError, integer, optional, required, type Env } from '../env';

/** Who writes the gateway's variables, named in a missing variable's error. */
const GATEWAY_ENV_WRITER = 'the CallbackGateway construct';
export const GatewayEnv = {
  /** JSON `{ "<provider>": ProviderConfig }`. */
  PROVIDERS: 'PROVIDERS',
  RESULTS_TOPIC: 'RESULTS_TOPIC',
  DEDUPE_TABLE: 'DEDUPE_TABLE',
  DEDUPE_RETENTION_SECONDS: 'DEDUPE_RETENTION_SECONDS',
  MAX_BODY_BYTES: 'MAX_BODY_BYTES',
  /** How long a container keeps a provider's secret before reading it again (rotation takes effect within it). */
  SECRET_CACHE_SECONDS: 'SECRET_CACHE_SECONDS',
} as const;

/** Default body limit: 64 KiB (payment notifications are a few KiB). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/**
 * Default secret cache: five minutes. A rotated key takes effect within this time without a
 * deploy; Secrets Manager is read at most once per provider and container per period.
 */
export const DEFAULT_SECRET_CACHE_SECONDS = 300;

/** The variable holding a provider's secret ARN (a plain `Ref`, which the emulator resolves). */
export function providerSecretEnv(provider: string): string {
  return `PROVIDER_SECRET_${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Options every verifier kind shares. */
interface ProviderBase {
  /** The variable holding the secret's ARN. */
  readonly secretEnv: string;
}

/** Options of the kinds that read a JSON body and map its type. */
interface JsonFields {
  readonly correlationIdFields?: readonly string[];
  readonly typeField?: string;
  readonly types?: Readonly<Record<string, string>>;
}

/** One provider's entry in `PROVIDERS`: which verifier, and its options (the keys are in the secret). */
export type ProviderConfig =
  | ProviderBase & { readonly kind: 'wechat-pay'; readonly toleranceSeconds?: number }
  | ProviderBase & JsonFields & { readonly kind: 'hmac'; readonly header?: string; readonly toleranceSeconds?: number; readonly notificationIdField?: string }
  | ProviderBase & JsonFields & { readonly kind: 'stripe'; readonly toleranceSeconds?: number }
  | ProviderBase & JsonFields & { readonly kind: 'standard-webhooks'; readonly toleranceSeconds?: number }
  | ProviderBase & { readonly kind: 'alipay'; readonly appId?: string };

/** The verifier kinds the gateway knows. */
export type ProviderKind = ProviderConfig['kind'];

/** What the gateway function reads from its environment, checked once per container. */
export interface GatewaySettings {
  /** Providers by path name. */
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** Topic the verified results are published to. */
  readonly resultsTopic: string;
  /** DynamoDB table of the dedupe markers. */
  readonly dedupeTable: string;
  /** How long dedupe markers are kept. @default the dedupe store's own (7 days) */
  readonly dedupeRetentionSeconds?: number;
  /** Largest accepted body. @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes: number;
  /** Secret cache per container. @default DEFAULT_SECRET_CACHE_SECONDS */
  readonly secretCacheSeconds: number;
}

/** Reads and checks the gateway's variables; a missing or malformed one names itself. */
export function readGatewayEnv(env: Env): GatewaySettings {
  const retention = optional(env, GatewayEnv.DEDUPE_RETENTION_SECONDS);
  return {
    providers: parseProviders(env[GatewayEnv.PROVIDERS]),
    resultsTopic: required(env, GatewayEnv.RESULTS_TOPIC, GATEWAY_ENV_WRITER),
    dedupeTable: required(env, GatewayEnv.DEDUPE_TABLE, GATEWAY_ENV_WRITER),
    dedupeRetentionSeconds: retention ? integer(env, GatewayEnv.DEDUPE_RETENTION_SECONDS, 0, 1) : undefined,
    maxBodyBytes: integer(env, GatewayEnv.MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, 1),
    secretCacheSeconds: integer(env, GatewayEnv.SECRET_CACHE_SECONDS, DEFAULT_SECRET_CACHE_SECONDS, 0),
  };
}

/** `PROVIDERS` → configs; absent means none. */
export function parseProviders(text: string | undefined): Record<string, ProviderConfig> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, ProviderConfig>;
  } catch (err) {
    throw new EnvError(GatewayEnv.PROVIDERS, `environment variable ${GatewayEnv.PROVIDERS} is not JSON (${GATEWAY_ENV_WRITER} writes it)`, { cause: err });
  }
}
