/**
 * Environment of a Kafka consumer's function, written by the KafkaConsumer construct and read by
 * the record handler through these same constants (one contract, no spelling twice).
 */
export const ConsumerEnv = {
  /** The topic the consumer reads. */
  TOPIC_NAME: 'TOPIC_NAME',
  /** The mapping's consumer group id. */
  CONSUMER_GROUP_ID: 'CONSUMER_GROUP_ID',
  /** In-handler attempts per record before it is dead-lettered. */
  MAX_ATTEMPTS: 'MAX_ATTEMPTS',
  /** Records of one partition handled at once. */
  RECORD_CONCURRENCY: 'RECORD_CONCURRENCY',
  /** The Kafka dead-letter topic (`DeadLetter.kafkaTopic()`). */
  DEAD_LETTER_TOPIC: 'DEAD_LETTER_TOPIC',
  /** The SQS dead-letter queue URL (`DeadLetter.sqs()`). */
  DEAD_LETTER_QUEUE_URL: 'DEAD_LETTER_QUEUE_URL',
  /**
   * `true` when the mapping has `FunctionResponseTypes: [ReportBatchItemFailures]`, so a returned
   * `batchItemFailures` is honoured; anything else means Lambda ignores it (on-demand pollers) and
   * the handler must fail the invocation instead, or the batch would be committed.
   */
  REPORT_BATCH_ITEM_FAILURES: 'REPORT_BATCH_ITEM_FAILURES',
  /** The table of `onceByEventId`'s records (set by `FanoutTopic.addConsumer`). */
  IDEMPOTENCY_TABLE: 'IDEMPOTENCY_TABLE',
} as const;
