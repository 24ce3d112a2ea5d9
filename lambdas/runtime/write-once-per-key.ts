import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CloudEvent } from './cloudevents';
import { getDocumentClient } from './dynamo';
import type { TransactItem, WriteOnceOutcome } from './write-once-per-event';

/** Options of `writeOncePerKey`: the client and the attribute that records the writing event's id. */
export interface WriteOncePerKeyOptions {
  /** Client to send the write with. @default getDocumentClient() */
  readonly client?: DynamoDBDocumentClient;
  /** Attribute of the keyed row that holds the id of the event that wrote it. @default 'eventId' */
  readonly eventIdAttribute?: string;
}

/**
 * Applies an event's effect whose first write creates a row that may exist only once — one row
 * per post, per order line — so that the row's own condition (`attribute_not_exists(<key>)`) is
 * the dedupe: a redelivered event carries the same key and changes nothing, as does another
 * event for the same key. No marker item: one `PutItem` (1 WCU) for a single write, else one
 * `TransactWriteItems` of the effect's writes only (a marker would add a transaction item, 2 WCU
 * by AWS's pricing). The keyed row records the event id, and DynamoDB returns the row that
 * stopped the write (ReturnValuesOnConditionCheckFailure), so the outcome still tells a
 * redelivery (`duplicate`) from another event for the same key (`condition-failed`, item 0)
 * without a read. Effects with no such row (a counter alone) need `writeOncePerEvent`.
 *
 * Transaction conflicts and DynamoDB errors throw (kafkaRecordHandler retries them).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CancellationReason.html
 */
export async function writeOncePerKey(event: Pick<CloudEvent, 'id'>, writes: TransactItem[], options: WriteOncePerKeyOptions = {}): Promise<WriteOnceOutcome> {
  // A transaction takes at most 100 writes.
  if (writes.length < 1 || writes.length > 100) throw new RangeError(`writeOncePerKey: writes must hold 1 to 100 writes; got ${writes.length}`);
  const keyed = writes[0].Put;
  if (!keyed?.ConditionExpression) {
    const given = keyed ? 'a Put without one' : `${Object.keys(writes[0]).join('/') || 'an empty write'}`;
    throw new RangeError(`writeOncePerKey: writes[0] must be a Put with a ConditionExpression that fails when its row exists (e.g. attribute_not_exists(<partition key>)); got ${given}`);
  }
  const attribute = options.eventIdAttribute ?? 'eventId';
  const put = { ...keyed, Item: { ...keyed.Item, [attribute]: event.id }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
  const client = options.client ?? getDocumentClient();
  try {
    if (writes.length === 1) await client.send(new PutCommand(put));
    else await client.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...writes.slice(1)] }));
    return { applied: true };
  } catch (err) {
    const failed = failedCondition(err);
    if (failed === undefined) throw err;
    if (failed.item > 0) return { applied: false, reason: 'condition-failed', item: failed.item };
    // The document client leaves an exception's item in DynamoDB JSON.
    return failed.old?.[attribute]?.S === event.id ? { applied: false, reason: 'duplicate' } : { applied: false, reason: 'condition-failed', item: 0 };
  }
}

type OldItem = Record<string, { S?: string }> | undefined;

/** Which write's condition failed, with the row that stopped it; undefined for any other error. */
function failedCondition(err: unknown): { item: number; old: OldItem } | undefined {
  const e = err as { name?: string; Item?: OldItem; CancellationReasons?: Array<{ Code?: string; Item?: OldItem }> };
  if (e.name === 'ConditionalCheckFailedException') return { item: 0, old: e.Item };
  if (e.name !== 'TransactionCanceledException' || !e.CancellationReasons) return undefined;
  // Reasons come in the order of the writes; 'None' for those that did not fail.
  const reasons = e.CancellationReasons;
  if (!reasons.every((r) => r.Code === 'None' || r.Code === 'ConditionalCheckFailed')) return undefined;
  const item = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
  return item < 0 ? undefined : { item, old: reasons[item].Item };
}
