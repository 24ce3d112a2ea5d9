import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { publish } from '../../runtime/producer';
import { VerificationError } from '../../runtime/gateway/verifiers';
import { DynamoDedupeStore } from '../../runtime/gateway/dedupe';
import { handleCallback, type GatewayDeps } from '../../runtime/gateway/handle-callback';
import { loadSecretJson, parseProviders, verifierRegistry } from '../../runtime/gateway/providers';

/**
 * The gateway function: API Gateway HTTP API (payload v2) → verify → dedupe → publish.
 * Env: PROVIDERS (JSON, see providers.ts), one secret-ARN variable per provider,
 * RESULTS_TOPIC, DEDUPE_TABLE, MAX_BODY_BYTES (default 65536), plus the Kafka variables.
 */
const maxBodyBytes = Number(process.env.MAX_BODY_BYTES ?? 65536);
let deps: GatewayDeps | undefined;

function gatewayDeps(): GatewayDeps {
  if (deps) return deps;
  const topic = required('RESULTS_TOPIC');
  deps = {
    verifierFor: verifierRegistry(parseProviders(process.env.PROVIDERS), process.env, loadSecretJson, { maxBodyBytes }),
    dedupe: new DynamoDedupeStore(getDocumentClient(), {
      tableName: required('DEDUPE_TABLE'),
      retainSeconds: process.env.DEDUPE_RETENTION_SECONDS ? Number(process.env.DEDUPE_RETENTION_SECONDS) : undefined,
    }),
    publish: (event, key) => publish(topic, event, { key }),
    now: () => new Date(),
    maxBodyBytes,
    onRejected: (provider, error) => error instanceof VerificationError
      ? logger.warn('callback rejected', { provider, status: error.status, code: error.code, reason: error.message })
      : logger.error('callback failed', { provider, error }),
  };
  return deps;
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const result = await handleCallback({
    method: event.requestContext?.http?.method ?? 'POST',
    provider: event.pathParameters?.provider,
    headers: event.headers ?? {},
    body,
  }, gatewayDeps());
  logger.info('callback answered', { provider: event.pathParameters?.provider, status: result.statusCode, outcome: result.outcome });
  return { statusCode: result.statusCode, headers: result.headers, body: result.body };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`env ${name} is not set`);
  return value;
}
