export { KafkaTopic, type KafkaTopicAttributes, type KafkaTopicProps } from './kafka-topic';
export { type IKafkaTopic, KafkaTopicBase } from './topic-base';
export { SERVERLESS_MAX_MESSAGE_BYTES, SERVERLESS_MAX_PARTITIONS, SERVERLESS_TOPIC_CONFIGS, validateTopicName, validateTopicSettings } from './validation';
export { KAFKA_TOPIC_RESOURCE_TYPE, KafkaTopicProvider } from './topic-provider';
export { grantTopicConsume, grantTopicProduce } from './grants';
