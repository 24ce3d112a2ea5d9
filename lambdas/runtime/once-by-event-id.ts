import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudEvent } from './cloudevents';
import { getDocumentClient } from './dynamo';
import { epochSeconds, eventMarkerConfig, markerId, NO_LIVE_MARKER, type EventMarkerOptions } from './event-marker';
import { logger } from './logger';
import type { RecordContext } from './record-handler';

/** Options of `onceByEventId`: the idempotency table, how long an event id is remembered, the key prefix. */
export type OnceByEventIdOptions = EventMarkerOptions;

/**
 * The event is being handled by another container (or was, by one that died: its in-progress
 * record expires with that invocation's time). Transient for kafkaRecordHandler: the record waits.
 */
export class IdempotencyAlreadyInProgressError extends Error {
  constructor(
    /** CloudEvents `id` of the event in progress elsewhere. */
    readonly eventId: string,
    options?: ErrorOptions,
  ) {
    super(`event ${eventId} is already in progress in another invocation`, options);
    this.name = 'IdempotencyAlreadyInProgressError';
  }
}

/** In-progress records of this container carry this owner, so its own retries recognise them. */
const CONTAINER_OWNER = randomUUID();
/** Longest a Lambda invocation runs: the in-progress lease when the remaining time is unknown. */
const MAX_INVOCATION_MS = 15 * 60 * 1000;

const IN_PROGRESS = 'INPROGRESS';
const COMPLETED = 'COMPLETED';

/**
 * Makes a per-event function take effect once per CloudEvent id, for effects OUTSIDE DynamoDB
 * (an effect that is a DynamoDB write carries its own dedupe in one request: `writeOncePerEvent`).
 *
 * Before the effect an in-progress record `<keyPrefix>#<event id>` is put (conditional: none
 * live), after it the record is completed. A redelivery of a completed event returns at once;
 * one still in progress in another container throws IdempotencyAlreadyInProgressError (transient:
 * the record is retried); a run that throws deletes its record, so the retry runs the effect
 * again. Retries in this container recognise its own records: when the effect ran here and only
 * the completion write failed (DynamoDB down), a retry writes the completion, never the effect.
 *
 * Not guaranteed: if the container dies (or its invocation times out) between the effect and
 * the completion, the in-progress record expires with that invocation's time and a redelivery
 * runs the effect a second time. docs/runtime.md says what follows for effects outside DynamoDB.
 */
export function onceByEventId<T>(
  fn: (event: CloudEvent<T>, ctx: RecordContext) => Promise<void>,
  options: OnceByEventIdOptions = {},
): (event: CloudEvent<T>, ctx: RecordContext) => Promise<void> {
  const config = eventMarkerConfig(options, 'onceByEventId');
  /** Event keys whose effect is running in this container. */
  const running = new Set<string>();
  /** Event keys whose effect ran in this container and whose completion is not written yet. */
  const applied = new Set<string>();

  const write = (id: string, status: string, extra: Record<string, unknown>, condition: string, values: Record<string, unknown>) =>
    getDocumentClient().send(
      new PutCommand({
        TableName: config.table,
        Item: { id, status, owner: CONTAINER_OWNER, expiration: epochSeconds() + config.expiresAfterSeconds, ...extra },
        ConditionExpression: condition,
        ExpressionAttributeNames: condition.includes('#status') ? { '#status': 'status', '#owner': 'owner' } : { '#owner': 'owner' },
        ExpressionAttributeValues: values,
        // The record that blocked the write, without a second request to read it.
        // @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );

  /** Takes the event: false when it is completed already; throws when it is in progress elsewhere. */
  const begin = async (id: string, event: CloudEvent<T>, ctx: RecordContext): Promise<boolean> => {
    const now = Date.now();
    const remaining = ctx.lambdaContext?.getRemainingTimeInMillis?.();
    const leaseUntil = now + (remaining !== undefined && Number.isFinite(remaining) ? remaining : MAX_INVOCATION_MS);
    try {
      await write(
        id,
        IN_PROGRESS,
        { in_progress_expiration: leaseUntil },
        // Ours and not running here: the effect threw (its delete failed) or never started (the put's answer was lost).
        `${NO_LIVE_MARKER} OR (#status = :inProgress AND (in_progress_expiration < :nowMs OR #owner = :owner))`,
        { ':now': epochSeconds(now), ':nowMs': now, ':inProgress': IN_PROGRESS, ':owner': CONTAINER_OWNER },
      );
      return true;
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      const status = (err as { Item?: Record<string, { S?: string }> }).Item?.status?.S;
      if (status === COMPLETED) {
        logger.info('event already handled; skipping', { eventId: event.id });
        return false;
      }
      throw new IdempotencyAlreadyInProgressError(event.id, { cause: err });
    }
  };

  /** Marks the event completed; a record taken over by another container stays theirs. */
  const complete = async (id: string, event: CloudEvent<T>): Promise<void> => {
    try {
      await write(id, COMPLETED, {}, 'attribute_not_exists(id) OR #owner = :owner', { ':owner': CONTAINER_OWNER });
    } catch (err) {
      if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
      logger.error('in-progress record taken over by another invocation before it was completed; the effect may have run twice', { eventId: event.id });
    }
  };

  return async (event, ctx) => {
    const id = markerId(config, event);
    if (applied.has(id)) {
      // This container ran the effect; only the completion write failed. Retry just that.
      await complete(id, event);
      applied.delete(id);
      return;
    }
    if (running.has(id)) throw new IdempotencyAlreadyInProgressError(event.id);
    if (!(await begin(id, event, ctx))) return;
    running.add(id);
    try {
      await fn(event, ctx);
    } catch (err) {
      running.delete(id);
      await getDocumentClient()
        .send(new DeleteCommand({ TableName: config.table, Key: { id }, ConditionExpression: '#owner = :owner AND #status = :inProgress', ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' }, ExpressionAttributeValues: { ':owner': CONTAINER_OWNER, ':inProgress': IN_PROGRESS } }))
        .catch(() => undefined);
      throw err;
    }
    running.delete(id);
    applied.add(id);
    await complete(id, event);
    applied.delete(id);
  };
}
