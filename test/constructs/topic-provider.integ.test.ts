import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Admin } from 'kafkajs';
import { connectAdmin, handleTopicEvent } from '../../lambdas/functions/topic-provider';
import { describeTopic } from '../../lambdas/functions/topic-provider/topic-admin';
import { resetKafka } from '../../lambdas/runtime/kafka-client';
import { serviceEndpoints, uniqueName } from '../support/services';

const CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/local/11111111-2222-3333-4444-555555555555-1';

function event(type: 'Create' | 'Update' | 'Delete', props: Record<string, unknown>, old?: Record<string, unknown>, physicalId?: string): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'token', ResponseURL: 'https://example.com', StackId: 'stack', RequestId: 'req', LogicalResourceId: 'Topic',
    ResourceType: 'Custom::KafkaTopic', ResourceProperties: { ServiceToken: 'token', ...props },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' } as CloudFormationCustomResourceEvent;
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: physicalId!, OldResourceProperties: { ServiceToken: 'token', ...old } } as CloudFormationCustomResourceEvent;
  return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalId! } as CloudFormationCustomResourceEvent;
}

describe('Custom::KafkaTopic handler against a real broker (brokers found through a mocked GetBootstrapBrokers)', () => {
  const kafkaApi = mockClient(KafkaClient);
  let admin: Admin;

  beforeAll(async () => {
    const { kafkaBrokers } = serviceEndpoints();
    kafkaApi.on(GetBootstrapBrokersCommand, { ClusterArn: CLUSTER_ARN }).resolves({ BootstrapBrokerString: kafkaBrokers });
    resetKafka();
    // The provider function's environment for an MSK cluster, with plaintext auth for the local broker.
    admin = await connectAdmin({ KAFKA_CLUSTER_ARN: CLUSTER_ARN, KAFKA_AUTH: 'none', AWS_REGION: 'eu-west-1' });
  });

  afterAll(async () => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith('h1-'));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine });
    await admin?.disconnect();
    kafkaApi.restore();
  });

  test('GIVEN a cluster ARN THEN brokers came from GetBootstrapBrokers', () => {
    expect(kafkaApi.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(1);
  });

  test('GIVEN Create THEN the topic exists with its partitions and configs; the name is the physical id', async () => {
    const name = uniqueName('h1-topic');
    const res = await handleTopicEvent(event('Create', { TopicName: name, NumPartitions: '2', ReplicationFactor: '1', Configs: { 'retention.ms': '3600000' } }), admin);
    expect(res).toEqual({ PhysicalResourceId: name, Data: { TopicName: name } });
    expect(await describeTopic(admin, name)).toEqual({ partitions: 2, configs: { 'retention.ms': '3600000' } });
  });

  test('GIVEN Create of a topic that already exists THEN it is adopted and brought to the spec', async () => {
    const name = uniqueName('h1-adopt');
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: 1, replicationFactor: 1 }] });
    await handleTopicEvent(event('Create', { TopicName: name, NumPartitions: 3, ReplicationFactor: 1, Configs: { 'cleanup.policy': 'compact' } }), admin);
    expect(await describeTopic(admin, name)).toEqual({ partitions: 3, configs: { 'cleanup.policy': 'compact' } });
  });

  test('GIVEN Update with more partitions and other configs THEN partitions grow and configs are replaced', async () => {
    const name = uniqueName('h1-update');
    const v1 = { TopicName: name, NumPartitions: 1, ReplicationFactor: 1, Configs: { 'retention.ms': '3600000' } };
    await handleTopicEvent(event('Create', v1), admin);
    const v2 = { TopicName: name, NumPartitions: 4, ReplicationFactor: 1, Configs: { 'max.message.bytes': '2097152' } };
    const res = await handleTopicEvent(event('Update', v2, v1, name), admin);
    expect(res.PhysicalResourceId).toBe(name);
    expect(await describeTopic(admin, name)).toEqual({ partitions: 4, configs: { 'max.message.bytes': '2097152' } });
  });

  test('GIVEN Update with fewer partitions THEN it refuses with a clear error and the topic is unchanged', async () => {
    const name = uniqueName('h1-shrink');
    const v1 = { TopicName: name, NumPartitions: 3, ReplicationFactor: 1 };
    await handleTopicEvent(event('Create', v1), admin);
    await expect(handleTopicEvent(event('Update', { ...v1, NumPartitions: 2 }, v1, name), admin))
      .rejects.toThrow(`NumPartitions of topic ${name} cannot decrease from 3 to 2`);
    expect((await describeTopic(admin, name)).partitions).toBe(3);
  });

  test('GIVEN Update with another replication factor THEN it refuses', async () => {
    const name = uniqueName('h1-rf');
    const v1 = { TopicName: name, NumPartitions: 1, ReplicationFactor: 1 };
    await handleTopicEvent(event('Create', v1), admin);
    await expect(handleTopicEvent(event('Update', { ...v1, ReplicationFactor: 2 }, v1, name), admin))
      .rejects.toThrow(/ReplicationFactor of topic .* cannot change in place \(from 1 to 2\)/);
  });

  test('GIVEN Update with a new name THEN the new topic is created and the new name is the physical id', async () => {
    const a = uniqueName('h1-rename-a');
    const b = uniqueName('h1-rename-b');
    const v1 = { TopicName: a, NumPartitions: 1, ReplicationFactor: 1 };
    await handleTopicEvent(event('Create', v1), admin);
    const res = await handleTopicEvent(event('Update', { ...v1, TopicName: b }, v1, a), admin);
    expect(res.PhysicalResourceId).toBe(b);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining([a, b]));
  });

  test('GIVEN Delete THEN the topic is gone; deleting again, or a physical id that is no topic, succeeds', async () => {
    const name = uniqueName('h1-delete');
    await handleTopicEvent(event('Create', { TopicName: name, NumPartitions: 1, ReplicationFactor: 1 }), admin);
    await handleTopicEvent(event('Delete', { TopicName: name, NumPartitions: 1, ReplicationFactor: 1 }, undefined, name), admin);
    expect(await admin.listTopics()).not.toContain(name);
    await expect(handleTopicEvent(event('Delete', { TopicName: name }, undefined, name), admin)).resolves.toBeDefined();
    await expect(handleTopicEvent(event('Delete', { NumPartitions: 'x' }, undefined, 'req-failed-create'), admin)).resolves.toBeDefined();
  });

  test('GIVEN bad properties THEN Create fails naming the property', async () => {
    await expect(handleTopicEvent(event('Create', { TopicName: uniqueName('h1-bad'), NumPartitions: 0, ReplicationFactor: 1 }), admin))
      .rejects.toThrow(/NumPartitions must be an integer >= 1, got 0/);
    await expect(handleTopicEvent(event('Create', { NumPartitions: 1, ReplicationFactor: 1 }), admin))
      .rejects.toThrow(/TopicName must be a non-empty string/);
  });
});
