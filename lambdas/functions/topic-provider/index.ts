import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Kafka, type Admin } from 'kafkajs';
import { kafkaConfig, type KafkaConfigDeps } from '../../runtime/kafka-client';
import { logger } from '../../runtime/logger';
import { awaitSpec, createTopic, deleteTopic, topicSpec, updateTopic, type TopicProperties } from './topic-admin';

/** What the provider framework expects back: the topic name is the physical id. */
export interface TopicResponse {
  PhysicalResourceId: string;
  Data: { TopicName: string };
}

/** Handles one custom-resource event with the given admin client (pure with respect to AWS). */
export async function handleTopicEvent(event: CloudFormationCustomResourceEvent, admin: Admin): Promise<TopicResponse> {
  if (event.RequestType === 'Delete') {
    // Properties are not parsed: a create that failed on bad properties must still delete cleanly,
    // and its physical id is then not a topic name, which deleteTopic ignores.
    await deleteTopic(admin, event.PhysicalResourceId);
    return { PhysicalResourceId: event.PhysicalResourceId, Data: { TopicName: event.PhysicalResourceId } };
  }
  const spec = topicSpec(event.ResourceProperties as unknown as TopicProperties);
  if (event.RequestType === 'Create') {
    await createTopic(admin, spec);
  } else {
    await updateTopic(admin, spec, topicSpec(event.OldResourceProperties as unknown as TopicProperties));
  }
  await awaitSpec(admin, spec);
  return { PhysicalResourceId: spec.name, Data: { TopicName: spec.name } };
}

/** Connects an admin client from the environment (KAFKA_CLUSTER_ARN / KAFKA_BOOTSTRAP_SERVERS / KAFKA_AUTH). */
export async function connectAdmin(env: Record<string, string | undefined> = process.env, deps: KafkaConfigDeps = {}): Promise<Admin> {
  const admin = new Kafka(await kafkaConfig(env, deps)).admin();
  await admin.connect();
  return admin;
}

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<TopicResponse> => {
  logger.info('topic request', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId, properties: event.ResourceProperties });
  const admin = await connectAdmin();
  try {
    return await handleTopicEvent(event, admin);
  } finally {
    await admin.disconnect();
  }
};
