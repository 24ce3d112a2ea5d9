import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClusterKind, KafkaCluster } from '../../lib/cluster';
import { KafkaTopic } from '../../lib/topic';
import { existingCluster, selfManagedCluster, testStack, TOPIC_ARN_PREFIX } from './helpers';

describe('KafkaTopic on a provisioned cluster (Kafka 3.9)', () => {
  test('GIVEN defaults THEN an AWS::MSK::Topic with 3 partitions, replication min(3, brokers), retained', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster');
    const topic = new KafkaTopic(stack, 'Topic', { cluster, topicName: 'orders.created' });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::MSK::Topic', {
      Properties: { TopicName: 'orders.created', PartitionCount: 3, ReplicationFactor: 2, ClusterArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] } },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    t.resourceCountIs('Custom::KafkaTopic', 0);
    expect(topic.partitions).toBe(3);
    expect(topic.replicationFactor).toBe(2);
  });

  test('GIVEN configs and DESTROY THEN configs are Base64 JSON and the topic is deleted with the stack', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster');
    new KafkaTopic(stack, 'Topic', { cluster, topicName: 't', partitions: 6, replicationFactor: 1, configs: { 'retention.ms': '3600000' }, removalPolicy: RemovalPolicy.DESTROY });
    const t = Template.fromStack(stack);
    const configs = Buffer.from(JSON.stringify({ 'retention.ms': '3600000' })).toString('base64');
    t.hasResource('AWS::MSK::Topic', { Properties: { PartitionCount: 6, ReplicationFactor: 1, Configs: configs }, DeletionPolicy: 'Delete' });
  });
});

describe('KafkaTopic with the custom resource', () => {
  test('GIVEN MSK Serverless THEN Custom::KafkaTopic with exactly TopicName, NumPartitions, ReplicationFactor, Configs', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster', { kind: ClusterKind.SERVERLESS });
    new KafkaTopic(stack, 'Topic', { cluster, topicName: 'a.b', configs: { 'retention.ms': '1000' } });
    const t = Template.fromStack(stack);
    const topics = t.findResources('Custom::KafkaTopic');
    const [resource] = Object.values(topics) as any[];
    expect(Object.keys(resource.Properties).sort()).toEqual(['Configs', 'NumPartitions', 'ReplicationFactor', 'ServiceToken', 'TopicName']);
    expect(resource.Properties).toMatchObject({ TopicName: 'a.b', NumPartitions: 3, ReplicationFactor: 3, Configs: { 'retention.ms': '1000' } });
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  test('GIVEN two topics of one cluster THEN one provider in the VPC, each topic granted by ARN', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster', { kind: ClusterKind.SERVERLESS });
    new KafkaTopic(stack, 'A', { cluster, topicName: 'a' });
    new KafkaTopic(stack, 'B', { cluster, topicName: 'b' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::KafkaTopic', 2);
    const handlers = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'kafka-topic-provider' } } } });
    expect(Object.keys(handlers)).toHaveLength(1);
    const [handler] = Object.values(handlers) as any[];
    expect(handler.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^ClusterClientSecurityGroup/), 'GroupId'] }]);
    expect(handler.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
  });

  test('GIVEN two topics of a cluster with a literal ARN THEN the provider manages exactly those two topics', () => {
    const stack = testStack();
    const cluster = existingCluster(stack, { kind: ClusterKind.SERVERLESS });
    new KafkaTopic(stack, 'A', { cluster, topicName: 'a' });
    new KafkaTopic(stack, 'B', { cluster, topicName: 'b' });
    const manage = [
      'kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:AlterTopic', 'kafka-cluster:DeleteTopic',
      'kafka-cluster:DescribeTopicDynamicConfiguration', 'kafka-cluster:AlterTopicDynamicConfiguration',
    ];
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([
      { Action: manage, Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}a` },
      { Action: manage, Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}b` },
    ]) } });
  });

  test('GIVEN an existing cluster without a known version THEN the custom resource', () => {
    const stack = testStack();
    new KafkaTopic(stack, 'Topic', { cluster: existingCluster(stack), topicName: 'x' });
    Template.fromStack(stack).resourceCountIs('Custom::KafkaTopic', 1);
  });

  test('GIVEN self-managed Kafka THEN the custom resource and no IAM topic grants', () => {
    const stack = testStack();
    new KafkaTopic(stack, 'Topic', { cluster: selfManagedCluster(stack), topicName: 'x', replicationFactor: 3 });
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::KafkaTopic', 1);
    const actions = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement).flatMap((st: any) => [st.Action].flat());
    expect(actions.filter((a: string) => a.startsWith('kafka-cluster:'))).toEqual([]);
  });
});

describe('KafkaTopic validation', () => {
  const provisioned = () => { const s = testStack(); return new KafkaCluster(s, 'Cluster'); };
  const serverless = () => { const s = testStack(); return new KafkaCluster(s, 'Cluster', { kind: ClusterKind.SERVERLESS }); };
  test.each([
    ['', /topicName must be 1 to 249 characters long, got 0/],
    ['x'.repeat(250), /topicName must be 1 to 249 characters long, got 250/],
    ['.', /topicName cannot be '.' or '..', got '.'/],
    ['..', /topicName cannot be '.' or '..', got '..'/],
    ['has space', /topicName may contain only \[a-zA-Z0-9._-\], got 'has space'/],
    ['émoji', /topicName may contain only/],
  ])('GIVEN topicName %j THEN it throws', (topicName, message) => {
    const cluster = provisioned();
    expect(() => new KafkaTopic(cluster, 'T', { cluster, topicName })).toThrow(message);
  });

  test.each([
    [{ partitions: 0 }, /partitions must be an integer >= 1, got 0/],
    [{ partitions: 1.5 }, /partitions must be an integer >= 1, got 1.5/],
    [{ replicationFactor: 0 }, /replicationFactor must be an integer >= 1, got 0/],
    [{ replicationFactor: 3 }, /replicationFactor must be <= the cluster's broker count \(2\), got 3/],
    [{ configs: { 'Bad Key': '1' } }, /configs keys must be Kafka topic config names like 'retention.ms', got 'Bad Key'/],
    [{ configs: { 'retention.ms': 5 as any } }, /configs\['retention.ms'\] must be a string, got number/],
  ])('GIVEN %j on a 2-broker cluster THEN it throws', (props, message) => {
    const cluster = provisioned();
    expect(() => new KafkaTopic(cluster, 'T', { cluster, topicName: 't', ...props })).toThrow(message);
  });

  test.each([
    [{ configs: { 'segment.bytes': '1000' } }, /configs\['segment.bytes'\] cannot be set on MSK Serverless; allowed: cleanup.policy/],
    [{ configs: { 'max.message.bytes': '9000000' } }, /configs\['max.message.bytes'\] must be <= 8388608 on MSK Serverless, got 9000000/],
    [{ partitions: 2401 }, /partitions must be <= 2400 on MSK Serverless, got 2401/],
    [{ replicationFactor: 2 }, /replicationFactor is fixed at 3 on MSK Serverless, got 2/],
  ])('GIVEN %j on MSK Serverless THEN it throws', (props, message) => {
    const cluster = serverless();
    expect(() => new KafkaTopic(cluster, 'T', { cluster, topicName: 't', ...props })).toThrow(message);
  });

  test('GIVEN allowed configs on MSK Serverless THEN it synthesizes', () => {
    const cluster = serverless();
    expect(() => new KafkaTopic(cluster, 'T', { cluster, topicName: 't', configs: { 'retention.ms': '-1', 'cleanup.policy': 'compact' } })).not.toThrow();
  });
});

describe('KafkaTopic grants', () => {
  test('GIVEN grantProduce THEN WriteData on the topic ARN only', () => {
    const stack = testStack();
    const cluster = existingCluster(stack, { kafkaVersion: '3.9.x' });
    const topic = new KafkaTopic(stack, 'Topic', { cluster, topicName: 'orders' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantProduce(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([
        { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Effect: 'Allow', Resource: topic.topicArn },
      ]) },
    });
  });

  test('GIVEN grantConsume THEN ReadData on the topic and AlterGroup on the group only', () => {
    const stack = testStack();
    const cluster = existingCluster(stack, { kafkaVersion: '3.9.x' });
    const topic = new KafkaTopic(stack, 'Topic', { cluster, topicName: 'orders' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantConsume(role, 'billing');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([
        { Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Effect: 'Allow', Resource: cluster.groupArn('billing') },
        { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Effect: 'Allow', Resource: topic.topicArn },
      ]) },
    });
  });
});

describe('KafkaTopic.fromTopicAttributes (IKafkaTopic)', () => {
  test('GIVEN a topic imported by name WHEN granted THEN the exact produce and consume statements on its ARN, and no topic resource', () => {
    // GIVEN
    const stack = testStack();
    const cluster = existingCluster(stack, { kafkaVersion: '3.9.x' });
    const topic = KafkaTopic.fromTopicAttributes(stack, 'Orders', { cluster, topicName: 'orders' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    topic.grantProduce(role);
    topic.grantConsume(role, 'billing');
    // THEN
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::MSK::Topic', 0);
    t.resourceCountIs('Custom::KafkaTopic', 0);
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([
      { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}orders` },
      { Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX.replace(':topic/', ':group/')}billing` },
      { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}orders` },
    ]) } });
    expect({ partitions: topic.partitions, replicationFactor: topic.replicationFactor, topicArn: topic.topicArn }).toEqual({ partitions: 3, replicationFactor: 3, topicArn: `${TOPIC_ARN_PREFIX}orders` });
  });

  test('GIVEN a bad imported name THEN the message names the construct path and the rule', () => {
    const stack = testStack();
    expect(() => KafkaTopic.fromTopicAttributes(stack, 'Bad', { cluster: existingCluster(stack), topicName: 'no spaces' }))
      .toThrow("TestStack/Bad: topicName may contain only [a-zA-Z0-9._-], got 'no spaces'");
  });
});
