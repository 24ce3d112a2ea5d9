import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KafkaCluster } from '../../lib/cluster';
import { LatencyProfile } from '../../lib/consumer';
import { lambdaEntry } from '../../lib/function/project-function';
import { FanoutTopic } from '../../lib/fanout';
import { ENV } from './post-app';
import { EXISTING_ARN, existingCluster, testStack, TOPIC_ARN_PREFIX } from '../constructs/helpers';

const entry = lambdaEntry('examples/post-second-hand');

function setup() {
  const app = new App();
  const foundation = new Stack(app, 'Foundation', { env: ENV });
  const cluster = new KafkaCluster(foundation, 'Cluster');
  const stack = new Stack(app, 'Fanout', { env: ENV });
  return { app, cluster, stack };
}

describe('FanoutTopic', () => {
  test('GIVEN a fan-out topic WHEN two consumers are added THEN each has its own mapping, group id, dead-letter topic and idempotency table', () => {
    // GIVEN
    const { cluster, stack } = setup();
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    // WHEN
    const billing = topic.addConsumer('billing', { entry, filters: [{ value: { type: ['order.placed'] } }] });
    const shipping = topic.addConsumer('shipping', { entry, maxAttempts: 5 });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['orders'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders.billing' },
      DestinationConfig: Match.absent(),
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ value: { type: ['order.placed'] } }) }] },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders.shipping' },
      DestinationConfig: Match.absent(),
      FilterCriteria: Match.absent(),
    });
    expect(billing.consumerGroupId).toBe('orders.billing');
    expect(shipping.deadLetterTopic?.topicName).toBe('orders.shipping.dlt');
    // the topic plus one dead-letter topic per consumer
    template.resourceCountIs('AWS::MSK::Topic', 3);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_NAME: 'orders', MAX_ATTEMPTS: '5', DEAD_LETTER_TOPIC: 'orders.shipping.dlt', IDEMPOTENCY_TABLE: { Ref: Match.stringLikeRegexp('ShippingIdempotencyTable') } }) },
    });
    expect(Object.keys(topic.consumers)).toEqual(['billing', 'shipping']);
  });

  test('GIVEN a shared idempotency table WHEN consumers are added THEN no table of their own is created', () => {
    const { cluster, stack } = setup();
    const shared = new dynamodb.Table(stack, 'Shared', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    topic.addConsumer('billing', { entry, idempotencyTable: shared });
    topic.addConsumer('shipping', { entry, idempotencyTable: shared });
    Template.fromStack(stack).resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(topic.idempotencyTables.billing).toBe(shared);
  });

  test('GIVEN idempotency: false WHEN a consumer is added THEN it has no idempotency table, variable or grant', () => {
    // GIVEN
    const { cluster, stack } = setup();
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    // WHEN
    const consumer = topic.addConsumer('billing', { entry, idempotency: false });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_NAME: 'orders', IDEMPOTENCY_TABLE: Match.absent() }) },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('dynamodb:');
    expect(topic.idempotencyTables.billing).toBeUndefined();
    expect(topic.consumers.billing).toBe(consumer);
  });

  test('GIVEN idempotency: false and an idempotencyTable WHEN a consumer is added THEN it throws naming both props', () => {
    const { cluster, stack } = setup();
    const shared = new dynamodb.Table(stack, 'Shared', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    expect(() => topic.addConsumer('billing', { entry, idempotency: false, idempotencyTable: shared }))
      .toThrow(/consumer "billing": idempotencyTable is given but idempotency is false/);
  });

  test('GIVEN the low-latency profile WHEN a consumer is added THEN its mapping has provisioned pollers, no window and mapping retries', () => {
    const { cluster, stack } = setup();
    new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' }).addConsumer('billing', { entry, latency: LatencyProfile.LOW_LATENCY });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: Match.objectLike({ MinimumPollers: 1 }),
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test.each([
    ['Billing', /consumer name must be 1-48 characters of a-z, 0-9 and '-', starting with a letter; got "Billing"/],
    ['', /consumer name must be .* got ""/],
    ['a'.repeat(49), /consumer name must be 1-48 characters/],
  ])('GIVEN consumer name %j WHEN added THEN it throws naming the prop', (name, message) => {
    const { cluster, stack } = setup();
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    expect(() => topic.addConsumer(name, { entry })).toThrow(message);
  });

  test('GIVEN a consumer WHEN one of the same name is added THEN it throws', () => {
    const { cluster, stack } = setup();
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    topic.addConsumer('billing', { entry });
    expect(() => topic.addConsumer('billing', { entry })).toThrow(/consumer name "billing" is already used on topic orders/);
  });

  test('GIVEN a bad topic name WHEN the fan-out topic is created or imported THEN the topic validation names it', () => {
    const { cluster, stack } = setup();
    expect(() => new FanoutTopic(stack, 'Bad', { cluster, topicName: 'no spaces' })).toThrow(/topicName may contain only/);
    expect(() => FanoutTopic.fromTopicName(stack, 'BadImport', { cluster, topicName: 'no spaces' })).toThrow(/topicName may contain only/);
  });

  test('GIVEN a publisher function WHEN granted publish THEN it gets produce rights on the topic only and its connection environment', () => {
    // GIVEN a cluster with a literal ARN, so that the topic ARN is a plain string
    const stack = testStack();
    const cluster = existingCluster(stack, { kafkaVersion: '3.9.x' });
    const topic = new FanoutTopic(stack, 'Orders', { cluster, topicName: 'orders' });
    const fn = new lambda.Function(stack, 'Publisher', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
    // WHEN
    topic.grantPublish(fn);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_NAME: 'orders', KAFKA_AUTH: 'iam', KAFKA_CLUSTER_ARN: Match.anyValue() }) },
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const kafkaStatements = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('kafka-cluster:')));
    expect(kafkaStatements).toEqual([
      { Action: 'kafka-cluster:Connect', Effect: 'Allow', Resource: EXISTING_ARN },
      { Action: 'kafka-cluster:WriteDataIdempotently', Effect: 'Allow', Resource: EXISTING_ARN },
      { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}orders` },
    ]);
  });

  test('GIVEN a topic imported by name in another stack WHEN a consumer is added THEN that stack creates only its dead-letter topic and the owner stack is untouched', () => {
    // GIVEN the owner alone, and the owner next to an importing stack
    const alone = setup();
    new FanoutTopic(alone.stack, 'Orders', { cluster: alone.cluster, topicName: 'orders' });
    const { app, cluster, stack: owner } = setup();
    new FanoutTopic(owner, 'Orders', { cluster, topicName: 'orders' });
    const other = new Stack(app, 'Consumers', { env: ENV });
    // WHEN
    FanoutTopic.fromTopicAttributes(other, 'Orders', { cluster, topicName: 'orders' }).addConsumer('billing', { entry });
    // THEN
    const template = Template.fromStack(other);
    template.resourceCountIs('AWS::MSK::Topic', 1);
    template.hasResourceProperties('AWS::MSK::Topic', { TopicName: 'orders.billing.dlt' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { Topics: ['orders'], AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders.billing' } });
    expect(JSON.stringify(Template.fromStack(owner).toJSON())).toBe(JSON.stringify(Template.fromStack(alone.stack).toJSON()));
  });
});
