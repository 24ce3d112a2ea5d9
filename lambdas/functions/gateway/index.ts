import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { publish } from '../../runtime/producer';
import { VerificationError } from '../../runtime/gateway/verifiers';
import { DynamoDedupeStore } from '../../runtime/gateway/dedupe';
import { readGatewayEnv } from '../../runtime/gateway/gateway-env';
import { handleCallback, type GatewayDeps } from '../../runtime/gateway/handle-callback';
import { loadSecretString, verifierRegistry } from '../../runtime/gateway/providers';

/**
 * The gateway function: API Gateway HTTP API (payload v2) → verify → dedupe → publish.
 * Env: see GatewayEnv (lambdas/runtime/gateway/gateway-env.ts), plus the Kafka variables.
 */
let deps: GatewayDeps | undefined;

function gatewayDeps(): GatewayDeps {
  if (deps) return deps;
  const settings = readGatewayEnv(process.env);
  deps = {
    verifierFor: verifierRegistry(settings.providers, process.env, loadSecretString, {
      maxBodyBytes: settings.maxBodyBytes,
      ttlMs: settings.secretCacheSeconds * 1000,
      onStale: (provider, error) => logger.warn('provider secret not refreshed, keeping the previous keys', { provider, error }),
    }),
    dedupe: new DynamoDedupeStore(getDocumentClient(), { tableName: settings.dedupeTable, retainSeconds: settings.dedupeRetentionSeconds }),
    publish: (event, key) => publish(settings.resultsTopic, event, { key }),
    now: () => new Date(),
    maxBodyBytes: settings.maxBodyBytes,
    // The caller got a short answer; the figures behind it (skew, tolerance, serial) are here.
    onRejected: (provider, error) => error instanceof VerificationError
      ? logger.warn('callback rejected', { provider, status: error.status, code: error.code, reason: error.message, ...error.detail })
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
