export { KafkaTopic } from './kafka-topic';
export type { KafkaTopicAttributes, KafkaTopicProps } from './kafka-topic';
export { KafkaTopicBase } from './topic-base';
export type { IKafkaTopic } from './topic-base';
