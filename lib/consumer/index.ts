export { DeadLetter } from './dead-letter';
export type { BoundDeadLetter } from './dead-letter';
export { KafkaConsumer, METRICS_NAMESPACE } from './kafka-consumer';
export type { KafkaConsumerProps, ProvisionedPollers } from './kafka-consumer';
export { LatencyProfile } from './latency-profile';
