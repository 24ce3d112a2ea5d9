// Types only: the MSK and Secrets Manager clients are loaded on the rare paths that use them
// (broker discovery without KAFKA_BOOTSTRAP_SERVERS, SCRAM), not at every cold start.
import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Kafka, logLevel, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import { logger } from './logger';
import { mskIamToken } from './msk-iam-token';
import { KafkaEnv } from './kafka-env';
import { PowertoolsEnv } from './powertools-env';

/** How the function authenticates to the brokers (env KAFKA_AUTH). */
export type KafkaAuth = 'none' | 'iam' | 'scram-sha-512' | 'tls';
const AUTH_MODES: readonly KafkaAuth[] = ['none', 'iam', 'scram-sha-512', 'tls'];

type Env = Record<string, string | undefined>;

/**
 * The function's Kafka settings cannot work: an unknown `KAFKA_AUTH`, no way to find the brokers
 * (neither `KAFKA_BOOTSTRAP_SERVERS` nor `KAFKA_CLUSTER_ARN`), no region, a cluster without the
 * chosen authentication, or a SCRAM secret missing or not shaped `{ username, password }`.
 */
export class KafkaConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KafkaConfigError';
  }
}

const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

// kafkajs's own table of Kafka protocol errors, with the ones it retries (not part of its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: Array<{ retriable: boolean; message: string }> };
const RETRIED_ERRORS = new Set(errorCodes.filter((e) => e.retriable).map((e) => e.message));

/**
 * A broker's error response that kafkajs retries by itself: "The coordinator is loading…" on a
 * fresh broker, a leader election… kafkajs logs each at ERROR; when its retries run out, the
 * operation throws to the caller, which is where a real failure surfaces.
 */
export function isRetriedResponseError(message: string, fields: Record<string, unknown>): boolean {
  return message.startsWith('Response ') && typeof fields.error === 'string' && RETRIED_ERRORS.has(fields.error);
}

/** kafkajs logs through the Powertools logger, WARN and above, so a function has one log format. */
export const kafkaLogCreator: logCreator = () => ({ namespace, level, log }) => {
  // kafkajs stamps its own `timestamp`, a key the logger reserves (and warns about on every line).
  const { message, timestamp: _stamped, ...extra } = log as typeof log & { timestamp?: string };
  const attributes = { kafkajs: namespace, ...extra };
  // The producer's retries are bounded on purpose (a publish must fail within the function's
  // timeout), which kafkajs warns about once per container: known and chosen, so debug only.
  if (message === BOUNDED_RETRIES_WARNING) logger.debug(message, attributes);
  else if (isRetriedResponseError(message, extra)) logger.warn(message, { ...attributes, retried: true });
  else if (level === logLevel.ERROR || level === logLevel.NOTHING) logger.error(message, attributes);
  else if (level === logLevel.WARN) logger.warn(message, attributes);
  else if (level === logLevel.INFO) logger.info(message, attributes);
  else logger.debug(message, attributes);
};

export function kafkaAuth(env: Env = process.env): KafkaAuth {
  const value = env[KafkaEnv.KAFKA_AUTH] ?? (env[KafkaEnv.KAFKA_CLUSTER_ARN] && !env[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS] ? 'iam' : 'none');
  if (!(AUTH_MODES as readonly string[]).includes(value)) {
    throw new KafkaConfigError(`KAFKA_AUTH must be one of ${AUTH_MODES.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as KafkaAuth;
}

function regionOf(env: Env): string {
  const fromArn = env[KafkaEnv.KAFKA_CLUSTER_ARN]?.split(':')[3];
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? fromArn;
  if (!region) throw new KafkaConfigError('AWS_REGION is not set and KAFKA_CLUSTER_ARN does not name a region');
  return region;
}

const BROKER_STRING_BY_AUTH = {
  iam: 'BootstrapBrokerStringSaslIam',
  'scram-sha-512': 'BootstrapBrokerStringSaslScram',
  tls: 'BootstrapBrokerStringTls',
  none: 'BootstrapBrokerString',
} as const;

/**
 * The fallback discovery must fail fast: in the default network (isolated subnets, no NAT, no MSK
 * API endpoint) the MSK API is unreachable, and an SDK call without a connect timeout would hang
 * until the function's own timeout.
 */
export const DISCOVERY_CONNECT_TIMEOUT_MS = 3000;
const DISCOVERY_REQUEST_TIMEOUT_MS = 5000;

// One discovery per container: brokers of a cluster change rarely and GetBootstrapBrokers is rate limited.
const discovered = new Map<string, Promise<string[]>>();

/**
 * Brokers: KAFKA_BOOTSTRAP_SERVERS, which the constructs set from a deploy-time lookup. Only when it
 * is missing are they discovered from KAFKA_CLUSTER_ARN through the MSK API (cached per container),
 * a fallback for functions built outside the constructs that fails within a few seconds when the
 * function's subnets have no route to the MSK API.
 */
export async function resolveBrokers(env: Env = process.env, kafkaClient?: KafkaClient): Promise<string[]> {
  const servers = env[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS];
  if (servers) return servers.split(',').map((b) => b.trim()).filter(Boolean);
  const arn = env[KafkaEnv.KAFKA_CLUSTER_ARN];
  if (!arn) throw new KafkaConfigError('set KAFKA_BOOTSTRAP_SERVERS (IKafkaCluster.connectionEnvironment() does) or KAFKA_CLUSTER_ARN to reach Kafka');
  const field = BROKER_STRING_BY_AUTH[kafkaAuth(env)];
  const cacheKey = `${arn}|${field}`;
  let brokers = discovered.get(cacheKey);
  if (!brokers) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const msk = require('@aws-sdk/client-kafka') as typeof import('@aws-sdk/client-kafka');
    const client = kafkaClient ?? new msk.KafkaClient({
      region: regionOf(env),
      maxAttempts: 1,
      // Without throwOnRequestTimeout the handler only logs a warning and keeps waiting.
      requestHandler: { connectionTimeout: DISCOVERY_CONNECT_TIMEOUT_MS, requestTimeout: DISCOVERY_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
    brokers = client.send(new msk.GetBootstrapBrokersCommand({ ClusterArn: arn })).then(
      (out) => {
        const list = out[field];
        if (!list) throw new KafkaConfigError(`cluster ${arn} has no ${field}; is ${kafkaAuth(env)} authentication enabled on it?`);
        return list.split(',').map((b) => b.trim());
      },
      (error: unknown) => {
        throw new KafkaConfigError(
          `KAFKA_BOOTSTRAP_SERVERS is not set, and discovering the brokers of ${arn} with the MSK API (GetBootstrapBrokers) failed: ${describeError(error)}. `
          + 'Set KAFKA_BOOTSTRAP_SERVERS (the constructs do, from a deploy-time lookup), or give the function a route to the MSK API (a NAT gateway) and kafka:GetBootstrapBrokers',
          { cause: error },
        );
      },
    );
    // A failed lookup is not cached, so the next invocation tries again.
    brokers.catch(() => discovered.delete(cacheKey));
    discovered.set(cacheKey, brokers);
  }
  return brokers;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function scramCredentials(env: Env, secrets?: SecretsManagerClient): Promise<{ username: string; password: string }> {
  const secretArn = env[KafkaEnv.KAFKA_SECRET_ARN];
  if (!secretArn) throw new KafkaConfigError('KAFKA_AUTH=scram-sha-512 needs KAFKA_SECRET_ARN');
  // Required here, not at init: only SCRAM clients read a secret.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const client = secrets ?? (require('./secrets') as typeof import('./secrets')).getSecretsManagerClient();
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = JSON.parse(out.SecretString ?? '{}') as { username?: unknown; password?: unknown };
  if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
    throw new KafkaConfigError(`secret ${secretArn} must be JSON with string "username" and "password"`);
  }
  return { username: parsed.username, password: parsed.password };
}

export interface KafkaConfigDeps {
  kafkaClient?: KafkaClient;
  secretsManager?: SecretsManagerClient;
}

/** The kafkajs configuration the environment describes (see docs/architecture.md). */
export async function kafkaConfig(env: Env = process.env, deps: KafkaConfigDeps = {}): Promise<KafkaConfig> {
  const auth = kafkaAuth(env);
  const base: KafkaConfig = {
    clientId: env.AWS_LAMBDA_FUNCTION_NAME ?? env[PowertoolsEnv.POWERTOOLS_SERVICE_NAME] ?? 'msk-pipelines',
    brokers: await resolveBrokers(env, deps.kafkaClient),
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
  };
  let sasl: SASLOptions | undefined;
  if (auth === 'iam') {
    const region = regionOf(env);
    sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await mskIamToken(region, env)).token }),
    };
  } else if (auth === 'scram-sha-512') {
    sasl = { mechanism: 'scram-sha-512', ...(await scramCredentials(env, deps.secretsManager)) };
  }
  return { ...base, ssl: auth !== 'none', ...(sasl ? { sasl } : {}) };
}

let kafka: Promise<Kafka> | undefined;

/** One kafkajs client per container, built from the environment on first use. */
export function getKafka(): Promise<Kafka> {
  if (!kafka) {
    kafka = kafkaConfig().then((config) => new Kafka(config));
    kafka.catch(() => (kafka = undefined));
  }
  return kafka;
}

/** Forgets the cached client and discovered brokers (tests, or after a configuration change). */
export function resetKafka(): void {
  kafka = undefined;
  discovered.clear();
}
