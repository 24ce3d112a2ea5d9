/**
 * Partial batch responses for Kafka event source mappings (FunctionResponseTypes
 * ReportBatchItemFailures). Unlike SQS and Kinesis, a Kafka record has no single id: the item
 * identifier is an object naming the topic-partition and the offset, the shape the Powertools
 * batch processor (EventType.Kafka) returns:
 *
 *   { "batchItemFailures": [ { "itemIdentifier": { "partition": "mytopic-0", "offset": 15 } } ] }
 *
 * `parseItemIdentifier` also reads the other shapes seen in the wild (`"topic-partition"` as
 * the key, and middy's `"<topic>-<partition>-<offset>"` string) so the emulator accepts any of them.
 */

/**
 * The identifier of one Kafka record in a partial batch response: its topic-partition and offset.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
export interface KafkaItemIdentifier {
  /** `<topic>-<partition>`, the key of the record's group in the event's `records`. */
  partition: string;
  /** The record's offset in that partition. */
  offset: number;
}

/** One record the function could not finish, for Lambda to deliver again. */
export interface KafkaBatchItemFailure {
  /** Which record: its `<topic>-<partition>` and offset. */
  itemIdentifier: KafkaItemIdentifier;
}

/**
 * What a Kafka handler returns when its mapping reports batch item failures
 * (`FunctionResponseTypes: ['ReportBatchItemFailures']`, honoured with provisioned pollers).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
export interface KafkaBatchResponse {
  /** The records Lambda should deliver again (`kafkaRecordHandler` lists a failed record and the later ones of its partition); empty when the batch is done. */
  batchItemFailures: KafkaBatchItemFailure[];
}

export interface ParsedItemIdentifier {
  topic?: string;
  partition: number;
  offset: number;
}

export function itemIdentifier(record: { topic: string; partition: number; offset: number }): KafkaItemIdentifier {
  return { partition: `${record.topic}-${record.partition}`, offset: record.offset };
}

/**
 * An item identifier in a function's response names no partition and offset (`parseItemIdentifier`);
 * Lambda treats such a response as a failure of the whole batch.
 */
export class InvalidItemIdentifierError extends Error {
  constructor(id: unknown, why: string, options?: ErrorOptions) {
    super(`invalid Kafka itemIdentifier ${JSON.stringify(id)}: ${why}`, options);
    this.name = 'InvalidItemIdentifierError';
  }
}

function nonNegativeInteger(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Splits `<topic>-<partition>`; topics may contain '-', so the partition is after the last one. */
function splitTopicPartition(text: string): { topic?: string; partition?: number } {
  const dash = text.lastIndexOf('-');
  if (dash < 0) return { partition: nonNegativeInteger(text) };
  return { topic: text.slice(0, dash) || undefined, partition: nonNegativeInteger(text.slice(dash + 1)) };
}

/**
 * Reads an item identifier returned by a function. Throws InvalidItemIdentifierError when it names
 * no partition and offset; Lambda treats such a response as a failure of the whole batch.
 */
export function parseItemIdentifier(id: unknown): ParsedItemIdentifier {
  if (typeof id === 'string') {
    const dash = id.lastIndexOf('-');
    const offset = nonNegativeInteger(id.slice(dash + 1));
    const { topic, partition } = splitTopicPartition(id.slice(0, Math.max(dash, 0)));
    if (dash < 0 || offset === undefined || partition === undefined) {
      throw new InvalidItemIdentifierError(id, 'expected "<topic>-<partition>-<offset>"');
    }
    return { topic, partition, offset };
  }
  if (typeof id !== 'object' || id === null) throw new InvalidItemIdentifierError(id, 'expected an object or a string');
  const o = id as Record<string, unknown>;
  const offset = nonNegativeInteger(o.offset);
  if (offset === undefined) throw new InvalidItemIdentifierError(id, 'offset must be a non-negative integer');
  const where = o.partition ?? o['topic-partition'];
  let topic = typeof o.topic === 'string' ? o.topic : undefined;
  let partition: number | undefined;
  if (typeof where === 'number') {
    partition = nonNegativeInteger(where);
  } else if (typeof where === 'string') {
    const split = splitTopicPartition(where);
    partition = split.partition;
    topic = topic ?? split.topic;
  }
  if (partition === undefined) throw new InvalidItemIdentifierError(id, 'partition must be "<topic>-<partition>" or a partition number');
  return topic === undefined ? { partition, offset } : { topic, partition, offset };
}
