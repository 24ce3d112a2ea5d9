import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CloudEvent } from './cloudevents';
import { getDocumentClient } from './dynamo';
import { epochSeconds, eventMarkerConfig, markerId, NO_LIVE_MARKER, type EventMarkerOptions } from './event-marker';

/** One write of a DynamoDB transaction (document-client form: plain values). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Options of `writeOncePerEvent`: the marker's table, lifetime and key prefix, and the client. */
export interface WriteOncePerEventOptions extends EventMarkerOptions {
  /** Client to send the transaction with. @default getDocumentClient() */
  readonly client?: DynamoDBDocumentClient;
}

/**
 * What the write did: `applied`; `duplicate` (the event's marker was there: a redelivery, nothing
 * written); or `condition-failed` (an effect item's own condition failed, e.g. "no reward row for
 * this post yet", nothing written), with the index of that item in `items`.
 */
export type WriteOnceOutcome = { readonly applied: true } | { readonly applied: false; readonly reason: 'duplicate' } | { readonly applied: false; readonly reason: 'condition-failed'; readonly item: number };

/**
 * Applies an event's effect — its own DynamoDB writes — once per event id, in ONE request: the
 * writes and a marker item for the event id (`<keyPrefix>#<event id>` in the idempotency table,
 * with TTL) commit in one transaction, conditional on no live marker. Nothing is written twice
 * for one event, and a crash can never separate the effect from its marker: the alternative to
 * `onceByEventId` (three requests, and a window between effect and completion) for effects that
 * are DynamoDB writes. The marker is the record `onceByEventId` writes for a completed event.
 *
 * Transaction conflicts and DynamoDB errors throw (kafkaRecordHandler retries them).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
export async function writeOncePerEvent(event: Pick<CloudEvent, 'id'>, items: TransactItem[], options: WriteOncePerEventOptions = {}): Promise<WriteOnceOutcome> {
  const config = eventMarkerConfig(options, 'writeOncePerEvent');
  // A transaction takes at most 100 writes, the marker included.
  if (items.length < 1 || items.length > 99) throw new RangeError(`writeOncePerEvent: items must hold 1 to 99 writes; got ${items.length}`);
  const now = Date.now();
  const marker: TransactItem = {
    Put: {
      TableName: config.table,
      Item: { id: markerId(config, event), status: 'COMPLETED', expiration: epochSeconds(now) + config.expiresAfterSeconds },
      ConditionExpression: NO_LIVE_MARKER,
      ExpressionAttributeValues: { ':now': epochSeconds(now) },
    },
  };
  try {
    await (options.client ?? getDocumentClient()).send(new TransactWriteCommand({ TransactItems: [marker, ...items] }));
    return { applied: true };
  } catch (err) {
    // Reasons come in the order of the writes; 'None' for those that did not fail.
    const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    if ((err as Error).name !== 'TransactionCanceledException' || !reasons) throw err;
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return { applied: false, reason: 'duplicate' };
    const failed = reasons.findIndex((r, i) => i > 0 && r.Code === 'ConditionalCheckFailed');
    if (failed > 0 && reasons.every((r) => r.Code === 'None' || r.Code === 'ConditionalCheckFailed')) return { applied: false, reason: 'condition-failed', item: failed - 1 };
    throw err;
  }
}
