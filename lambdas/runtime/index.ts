/**
 * The function runtime, as users import it: `import { … } from 'msk-event-pipelines/runtime'`.
 * Named on purpose: what is not listed here is internal and may change.
 */

// Events: the CloudEvents 1.0 envelope every record carries.
export { createEvent, decodeEvent, InvalidEventError } from './cloudevents';
export type { CloudEvent, CreateEventInit } from './cloudevents';

// Producing: publish (the container's idempotent producer), or records for your own producer.
export { publish, closeProducer } from './producer';
export type { PublishOptions } from './producer';
export { eventMessage, CLOUDEVENTS_CONTENT_TYPE } from './event-message';
export type { EventMessageOptions } from './event-message';

// Consuming: per-record handling with bounded retries and the dead-letter topic, and idempotency.
export { kafkaRecordHandler } from './record-handler';
export type { KafkaRecordHandler, RecordContext, RecordHandlerOptions } from './record-handler';
export { onceByEventId, IdempotencyAlreadyInProgressError } from './once-by-event-id';
export type { OnceByEventIdOptions } from './once-by-event-id';
export { writeOncePerEvent } from './write-once-per-event';
export type { TransactItem, WriteOnceOutcome, WriteOncePerEventOptions } from './write-once-per-event';
export { writeOncePerKey } from './write-once-per-key';
export type { WriteOncePerKeyOptions } from './write-once-per-key';
export { updateOncePerEvent } from './update-once-per-event';
export type { UpdateOnceOutcome, UpdateOncePerEventOptions } from './update-once-per-event';
export { IDEMPOTENCY_TABLE_KEYS } from './event-marker';
export type { EventMarkerOptions } from './event-marker';
export { decodeKafkaEvent, headerValue, MalformedKafkaEventError } from './kafka-event';
export type { KafkaRecord, LambdaKafkaEvent } from './kafka-event';
export type { KafkaBatchResponse, KafkaBatchItemFailure, KafkaItemIdentifier } from './batch-response';

// Chain tasks.
export { defineTask } from './chain/define-task';
export type { TaskContext, TaskFunction } from './chain/task-runner';
export { ChainEventType } from './chain/events';
export type { ChainAttributes, ResultPointer, TaskFailedData, TaskRequestedData, TaskSucceededData } from './chain/events';

// Shared clients.
export { logger } from './logger';
export { getDocumentClient } from './dynamo';
