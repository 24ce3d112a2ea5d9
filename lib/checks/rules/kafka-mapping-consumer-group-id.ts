import type { ResourceView, Rule } from '../rule';
import { isKafkaMapping } from '../private/resources';

/** Kafka mappings that leave the consumer group id to Lambda. */
export const KafkaMappingConsumerGroupId: Rule = {
  name: 'KafkaMappingConsumerGroupId',
  info: 'The Kafka event source mapping does not name its consumer group (AmazonManagedKafkaEventSourceConfig or SelfManagedKafkaEventSourceConfig ConsumerGroupId).',
  explanation: 'Without an explicit group id Lambda picks one for the mapping: a replaced mapping gets a new group that starts again at StartingPosition (TRIM_HORIZON reprocesses the topic, LATEST skips what was not read), and no operator tool can name the group to read its lag or offsets. The id cannot be changed after creation. See https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html',
  severity: 'error',
  resourceTypes: ['AWS::Lambda::EventSourceMapping'],
  check(mapping: ResourceView): string[] {
    const p = mapping.properties;
    if (!isKafkaMapping(p)) return [];
    const groupId = (p.AmazonManagedKafkaEventSourceConfig ?? p.SelfManagedKafkaEventSourceConfig)?.ConsumerGroupId;
    return groupId === undefined || groupId === '' ? ['Kafka mapping without a ConsumerGroupId: Lambda chooses the group, and a replaced mapping starts a new one'] : [];
  },
};
