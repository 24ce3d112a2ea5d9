export * from './kafka-topic';
export * from './validation';
export { KAFKA_TOPIC_RESOURCE_TYPE, KafkaTopicProvider } from './topic-provider';
export * from './grants';
