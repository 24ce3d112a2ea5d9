import type { CloudEvent } from './cloudevents';
import { integerOption } from './env';
import { PowertoolsEnv } from './powertools-env';

/**
 * Key schema of the table that remembers event ids: partition key `id` (string), TTL attribute
 * `expiration` (epoch seconds). One item per event id and consumer, `<keyPrefix>#<event id>`.
 */
export const IDEMPOTENCY_TABLE_KEYS = { partitionKey: 'id', timeToLive: 'expiration' } as const;

/** Where the marker of a handled event id is kept, and for how long (`onceByEventId`, `writeOncePerEvent`). */
export interface EventMarkerOptions {
  /** Table with partition key `id` and TTL attribute `expiration`. @default env IDEMPOTENCY_TABLE */
  readonly table?: string;
  /** How long an event id is remembered, in seconds. @default 86400 (one day) */
  readonly expiresAfterSeconds?: number;
  /** Separates the event ids of consumers that share a table. @default env POWERTOOLS_SERVICE_NAME, else AWS_LAMBDA_FUNCTION_NAME, else 'events' */
  readonly keyPrefix?: string;
}

/** Where and for how long an event id is remembered, resolved once per container. */
export interface EventMarkerConfig {
  readonly table: string;
  readonly expiresAfterSeconds: number;
  readonly keyPrefix: string;
}

/**
 * Condition that no live marker holds the key: absent, or past its TTL. DynamoDB deletes expired
 * items only within a few days of their expiry, and reads and conditions still see them until
 * then, so the expiry is checked here rather than trusted to the deletion.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
export const NO_LIVE_MARKER = 'attribute_not_exists(id) OR expiration < :now';

export function eventMarkerConfig(options: EventMarkerOptions, caller: string, env: Record<string, string | undefined> = process.env): EventMarkerConfig {
  const table = options.table ?? env.IDEMPOTENCY_TABLE;
  if (!table) throw new Error(`${caller} needs a table: pass options.table or set IDEMPOTENCY_TABLE`);
  const expiresAfterSeconds = integerOption(`${caller}: expiresAfterSeconds`, options.expiresAfterSeconds ?? 86400, 1);
  const keyPrefix = options.keyPrefix ?? env[PowertoolsEnv.POWERTOOLS_SERVICE_NAME] ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'events';
  return { table, expiresAfterSeconds, keyPrefix };
}

/** The marker's key for an event. */
export function markerId(config: EventMarkerConfig, event: Pick<CloudEvent, 'id'>): string {
  return `${config.keyPrefix}#${event.id}`;
}

/** Epoch seconds, the unit of a DynamoDB TTL attribute. */
export function epochSeconds(ms: number = Date.now()): number {
  return Math.floor(ms / 1000);
}
