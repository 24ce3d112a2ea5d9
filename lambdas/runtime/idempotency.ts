import { ConsumerEnv } from './consumer-env';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { CloudEvent } from './cloudevents';
import { getDynamoClient } from './dynamo';
import type { RecordContext } from './record-handler';

export interface OnceByEventIdOptions {
  /** Table with partition key `id` and TTL attribute `expiration`. @default env IDEMPOTENCY_TABLE */
  table?: string;
  /** How long a completed event is remembered. @default 86400 (one day) */
  expiresAfterSeconds?: number;
  /** Separates the records of functions that share a table. @default env POWERTOOLS_SERVICE_NAME, else AWS_LAMBDA_FUNCTION_NAME */
  keyPrefix?: string;
}

/**
 * Makes a per-event function take effect once per CloudEvent id (Powertools idempotency on
 * DynamoDB). A redelivered event whose first run completed returns at once; one still in
 * progress elsewhere throws IdempotencyAlreadyInProgressError, so the record is retried later.
 * A run that throws leaves no record, so the retry runs the function again.
 */
export function onceByEventId<T>(
  fn: (event: CloudEvent<T>, ctx: RecordContext) => Promise<void>,
  options: OnceByEventIdOptions = {},
): (event: CloudEvent<T>, ctx: RecordContext) => Promise<void> {
  const tableName = options.table ?? process.env[ConsumerEnv.IDEMPOTENCY_TABLE];
  if (!tableName) throw new Error('onceByEventId needs a table: pass options.table or set IDEMPOTENCY_TABLE');
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: getDynamoClient() });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    expiresAfterSeconds: options.expiresAfterSeconds ?? 86400,
    throwOnNoIdempotencyKey: true,
  });
  const keyPrefix = options.keyPrefix ?? process.env.POWERTOOLS_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'events';
  const idempotent = makeIdempotent(
    async (event: CloudEvent<T>, ctx: RecordContext): Promise<null> => {
      await fn(event, ctx);
      return null;
    },
    { persistenceStore, config, keyPrefix, dataIndexArgument: 0 },
  );
  return async (event, ctx) => {
    if (ctx.lambdaContext) config.registerLambdaContext(ctx.lambdaContext);
    await idempotent(event, ctx);
  };
}
