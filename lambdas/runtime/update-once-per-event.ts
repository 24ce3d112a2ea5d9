import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CloudEvent } from './cloudevents';
import { getDocumentClient } from './dynamo';

/** Options of `updateOncePerEvent`: the attribute that remembers applied event ids, and the client. */
export interface UpdateOncePerEventOptions {
  /** String-set attribute of the item that holds the ids of the events applied to it. @default 'appliedEventIds' */
  readonly attribute?: string;
  /** Client to send the update with. @default getDocumentClient() */
  readonly client?: DynamoDBDocumentClient;
}

/** What the update did: `applied`, `duplicate` (the event was applied to the item before), or `condition-failed` (its own condition). */
export type UpdateOnceOutcome = 'applied' | 'duplicate' | 'condition-failed';

/**
 * Applies an event's effect that is ONE UpdateItem once per event id, in that one request and
 * with no other table: the item itself remembers the events applied to it (a string set, added
 * to in the same update) and the update is conditional on the event not being in it. For items
 * that take a bounded number of events (an order's payment results); an item that every event
 * touches (a counter) would grow without end: use `writeOncePerEvent` there.
 *
 * The item that failed the condition comes back with the error, so a duplicate is told apart
 * from the update's own condition without a read.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 */
export async function updateOncePerEvent(event: Pick<CloudEvent, 'id'>, update: UpdateCommandInput, options: UpdateOncePerEventOptions = {}): Promise<UpdateOnceOutcome> {
  const attribute = options.attribute ?? 'appliedEventIds';
  if (!update.UpdateExpression) throw new Error('updateOncePerEvent: update.UpdateExpression is required');
  if (/:appliedEventIds?\b|#appliedEventIds\b/.test(`${update.UpdateExpression} ${update.ConditionExpression ?? ''}`)) {
    throw new Error('updateOncePerEvent: update may not use the names #appliedEventIds, :appliedEventId or :appliedEventIds (they are added here)');
  }
  const expression = /\bADD\s/i.test(update.UpdateExpression)
    ? update.UpdateExpression.replace(/\bADD\s/i, 'ADD #appliedEventIds :appliedEventIds, ')
    : `${update.UpdateExpression} ADD #appliedEventIds :appliedEventIds`;
  const notSeen = 'NOT contains(#appliedEventIds, :appliedEventId)';
  try {
    await (options.client ?? getDocumentClient()).send(
      new UpdateCommand({
        ...update,
        UpdateExpression: expression,
        ConditionExpression: update.ConditionExpression ? `(${update.ConditionExpression}) AND ${notSeen}` : notSeen,
        ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#appliedEventIds': attribute },
        ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':appliedEventIds': new Set([event.id]), ':appliedEventId': event.id },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'applied';
  } catch (err) {
    if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
    const seen = (err as { Item?: Record<string, { SS?: string[] }> }).Item?.[attribute]?.SS ?? [];
    return seen.includes(event.id) ? 'duplicate' : 'condition-failed';
  }
}
