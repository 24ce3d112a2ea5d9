import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IKafkaCluster, KafkaCluster } from '../../lib/cluster';
import { DeadLetter, KafkaConsumer, KafkaConsumerProps, LatencyProfile } from '../../lib/consumer';
import { createFunction, defaultFunctionProps } from '../../lib/function';
import { KafkaTopic } from '../../lib/topic';
import { AUDIT_ENTRY, EXISTING_ARN, existingCluster, selfManagedCluster, testStack, TOPIC_ARN_PREFIX } from './helpers';

function setup(cluster?: (s: Stack) => IKafkaCluster) {
  const stack = testStack('Orders');
  const c = cluster ? cluster(stack) : new KafkaCluster(stack, 'Cluster');
  const topic = new KafkaTopic(stack, 'Topic', { cluster: c, topicName: 'orders', replicationFactor: Math.min(2, c.brokerCount) });
  return { stack, cluster: c, topic };
}

function consumer(extra: Partial<KafkaConsumerProps> = {}, cluster?: (s: Stack) => IKafkaCluster) {
  const env = setup(cluster);
  const c = new KafkaConsumer(env.stack, 'Billing', { cluster: env.cluster, topic: env.topic, entry: AUDIT_ENTRY, ...extra });
  return { ...env, consumer: c, template: Template.fromStack(env.stack) };
}

describe('KafkaConsumer defaults (economical)', () => {
  test('GIVEN defaults THEN a mapping with explicit group id, no on-failure destination and no provisioned-only controls; the runtime dead-letters', () => {
    const { template, consumer: c } = consumer();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['orders'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'Orders-Billing' },
      // documented for provisioned pollers only (kafka-retry-configurations.html)
      DestinationConfig: Match.absent(),
      MaximumBatchingWindowInSeconds: Match.absent(),
      ProvisionedPollerConfig: Match.absent(),
      MaximumRetryAttempts: Match.absent(),
      BisectBatchOnFunctionError: Match.absent(),
      FunctionResponseTypes: Match.absent(),
    });
    template.hasResourceProperties('AWS::MSK::Topic', { TopicName: 'orders.Billing.dlt', PartitionCount: 3 });
    expect(c.consumerGroupId).toBe('Orders-Billing');
    expect(c.deadLetterTopic?.topicName).toBe('orders.Billing.dlt');
    expect(c.latency).toBe(LatencyProfile.ECONOMICAL);
  });

  test('GIVEN defaults THEN the function has project defaults and the runtime environment', () => {
    const { template } = consumer();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON' },
      Timeout: 60,
      MemorySize: 256,
      VpcConfig: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterClientSecurityGroup'), 'GroupId'] }] }),
      Environment: { Variables: Match.objectLike({
        KAFKA_CLUSTER_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] },
        KAFKA_BOOTSTRAP_SERVERS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterBrokers'), 'BootstrapBrokerStringSaslIam'] },
        KAFKA_AUTH: 'iam',
        TOPIC_NAME: 'orders',
        DEAD_LETTER_TOPIC: 'orders.Billing.dlt',
        REPORT_BATCH_ITEM_FAILURES: 'false',
        MAX_ATTEMPTS: '3',
        RECORD_CONCURRENCY: '1',
        POWERTOOLS_SERVICE_NAME: 'Billing',
        CONSUMER_GROUP_ID: 'Orders-Billing',
        // Source-mapped stack traces cost every cold start; a user turns them on (see defaultFunctionProps).
        NODE_OPTIONS: Match.absent(),
      }) },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('GIVEN defaults THEN least privilege: connect, read its topic as its group, write its dead-letter topic; no discovery, no SCRAM listing', () => {
    // GIVEN a cluster with a literal ARN, so that every resource is a plain string
    const { template, consumer: c, stack } = consumer({}, (s) => existingCluster(s, { kafkaVersion: '3.9.x' }));
    const roleId = c.function.role!.node.defaultChild as any;
    const [policy] = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.resolve(roleId.logicalId) }] } })) as any[];
    // THEN
    const prefix = 'arn:aws:kafka:eu-west-1:123456789012:';
    const uuid = 'orders/11111111-2222-3333-4444-555555555555-2';
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      { Action: 'kafka-cluster:Connect', Effect: 'Allow', Resource: EXISTING_ARN },
      { Action: 'kafka-cluster:DescribeClusterDynamicConfiguration', Effect: 'Allow', Resource: EXISTING_ARN },
      { Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], Effect: 'Allow', Resource: `${prefix}group/${uuid}/Orders-Billing` },
      { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Effect: 'Allow', Resource: `${prefix}topic/${uuid}/orders` },
      { Action: 'kafka-cluster:WriteDataIdempotently', Effect: 'Allow', Resource: EXISTING_ARN },
      { Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Effect: 'Allow', Resource: `${prefix}topic/${uuid}/orders.Billing.dlt` },
    ]);
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement).flatMap((st: any) => [st.Action].flat());
    expect(actions.filter((a: string) => ['kafka:ListScramSecrets', 'kafka-cluster:DescribeCluster', 'kafka:DescribeCluster'].includes(a))).toEqual([]);
    // AWS's documented minimum for an MSK mapping's role (kafka:DescribeClusterV2, GetBootstrapBrokers, ENIs)
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaMSKExecutionRole']] }]) });
  });

  test('GIVEN consumer group ids WHEN one changes THEN the mapping gets a new logical id (Lambda cannot update a group id in place); the same id keeps it', () => {
    const mappingIds = (groupId: string) => Object.keys(consumer({ consumerGroupId: groupId }).template.findResources('AWS::Lambda::EventSourceMapping'));
    const [first] = mappingIds('billing.v1');
    expect(mappingIds('billing.v1')).toEqual([first]);
    expect(mappingIds('billing.v2')).not.toContain(first);
  });

  test('GIVEN defaults THEN the mapping waits for the topic and its dead-letter topic', () => {
    const { template } = consumer();
    const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as any[];
    expect(mapping.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Topic/), expect.stringMatching(/^BillingDeadLetterTopic/)]));
  });

  test('GIVEN defaults THEN three alarms and metric methods', () => {
    const { template, consumer: c } = consumer();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OffsetLag', Namespace: 'AWS/Lambda', Threshold: 1000 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeadLetteredRecords', Namespace: 'MskPipelines', Dimensions: [{ Name: 'service', Value: 'Billing' }] });
    expect(c.alarms).toHaveLength(3);
    expect(c.metricOffsetLag().metricName).toBe('OffsetLag');
    expect(c.metricErrors().metricName).toBe('Errors');
    expect(c.metricDeadLettered({ period: Duration.minutes(5) }).period.toMinutes()).toBe(5);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  test('GIVEN an alarm action THEN every alarm notifies it when it fires and when it clears', () => {
    // GIVEN
    const env = setup();
    const topic = new sns.Topic(env.stack, 'Alarms', { enforceSSL: true });
    // WHEN
    new KafkaConsumer(env.stack, 'Billing', { cluster: env.cluster, topic: env.topic, entry: AUDIT_ENTRY, alarmAction: new SnsAction(topic) });
    // THEN
    const alarms = Object.values(Template.fromStack(env.stack).findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: env.stack.resolve((topic.node.defaultChild as sns.CfnTopic).logicalId) }]);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
  });
});

describe('KafkaConsumer options', () => {
  test('GIVEN LOW_LATENCY THEN provisioned pollers, window 0, mapping retries, bisect and partial batch responses', () => {
    const { template } = consumer({ latency: LatencyProfile.LOW_LATENCY, maxAttempts: 5, provisionedPollers: { minimum: 2, maximum: 4 } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 4 },
      MaximumBatchingWindowInSeconds: 0,
      MaximumRetryAttempts: 4,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: 'kafka://orders.Billing.dlt' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ MAX_ATTEMPTS: '5', REPORT_BATCH_ITEM_FAILURES: 'true' }) } });
  });

  test('GIVEN LOW_LATENCY without pollers THEN 1..2 provisioned pollers', () => {
    consumer({ latency: LatencyProfile.LOW_LATENCY }).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
    });
  });

  test('GIVEN names, position, batch, window, filters THEN the mapping carries them', () => {
    const { template, consumer: c } = consumer({
      consumerName: 'billing-v2',
      consumerGroupId: 'billing.orders',
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(2),
      filters: [{ value: { type: ['order.created'] } }],
      timeout: Duration.minutes(5),
      memorySize: 1024,
      environment: { FEATURE: 'on' },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'billing.orders' },
      StartingPosition: 'LATEST',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 2,
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"type":["order.created"]}}' }] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DEAD_LETTER_TOPIC: 'orders.billing-v2.dlt' }) } });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 300, MemorySize: 1024, Environment: { Variables: Match.objectLike({ FEATURE: 'on', POWERTOOLS_SERVICE_NAME: 'billing-v2' }) } });
    expect(c.consumerName).toBe('billing-v2');
  });

  test('GIVEN DeadLetter.sqs() THEN a new encrypted queue whose URL the runtime gets, send rights, and an SQS endpoint in the cluster VPC', () => {
    const { template, consumer: c } = consumer({ deadLetter: DeadLetter.sqs() });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { DestinationConfig: Match.absent() });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.sqs']] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DEAD_LETTER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^BillingDeadLetterQueue') } }) } });
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([{
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BillingDeadLetterQueue'), 'Arn'] },
    }]) } });
    expect(c.deadLetterQueue).toBeDefined();
    expect(c.deadLetterTopic).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::MSK::Topic', { TopicName: 'orders.Billing.dlt' }, 0);
  });

  test('GIVEN low-latency consumers with DeadLetter.sqs(queue) and a shared dead-letter topic THEN they are the mappings\' destinations as given', () => {
    const env = setup();
    const queue = new sqs.Queue(env.stack, 'Q', { enforceSSL: true });
    const latency = LatencyProfile.LOW_LATENCY;
    new KafkaConsumer(env.stack, 'A', { cluster: env.cluster, topic: env.topic, entry: AUDIT_ENTRY, deadLetter: DeadLetter.sqs(queue), latency });
    const dlt = new KafkaTopic(env.stack, 'Dlt', { cluster: env.cluster, topicName: 'orders.dlt', replicationFactor: 2 });
    const b = new KafkaConsumer(env.stack, 'B', { cluster: env.cluster, topic: env.topic, entry: AUDIT_ENTRY, deadLetter: DeadLetter.kafkaTopic(dlt), latency });
    const t = Template.fromStack(env.stack);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Q'), 'Arn'] } } } });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { DestinationConfig: { OnFailure: { Destination: 'kafka://orders.dlt' } } });
    expect(b.deadLetterTopic).toBe(dlt);
  });

  test('GIVEN produceTo THEN write grants on those topics, not read grants', () => {
    // GIVEN a cluster with a literal ARN, so that topic ARNs are plain strings
    const env = setup((s) => existingCluster(s, { kafkaVersion: '3.9.x' }));
    const out = new KafkaTopic(env.stack, 'Out', { cluster: env.cluster, topicName: 'invoices', replicationFactor: 2 });
    // WHEN
    new KafkaConsumer(env.stack, 'Billing', { cluster: env.cluster, topic: env.topic, entry: AUDIT_ENTRY, produceTo: [out] });
    // THEN
    const template = Template.fromStack(env.stack);
    template.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([{
      Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}invoices`,
    }]) } });
    const onInvoices = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement).filter((st: any) => st.Resource === `${TOPIC_ARN_PREFIX}invoices`);
    expect(onInvoices).toEqual([{ Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], Effect: 'Allow', Resource: `${TOPIC_ARN_PREFIX}invoices` }]);
  });

  test('GIVEN alarms false THEN no alarms', () => {
    consumer({ alarms: false }).template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('GIVEN an existing cluster THEN the mapping reads its ARN', () => {
    const { template } = consumer({}, (s) => existingCluster(s, { kafkaVersion: '3.9.x' }));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/11111111-2222-3333-4444-555555555555-2' });
  });

  test('GIVEN self-managed Kafka THEN a self-managed mapping with SCRAM, VPC access and its own group id', () => {
    const { template } = consumer({}, (s) => selfManagedCluster(s));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: ['b-1.example.com:9096', 'b-2.example.com:9096'] } },
      SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'Orders-Billing' },
      SourceAccessConfigurations: [
        { Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_kafka-AbCdEf' },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0a1b2c3d4e5f60733' },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0a1b2c3d4e5f60744' },
        { Type: 'VPC_SECURITY_GROUP', URI: { 'Fn::Join': ['', ['security_group:', { 'Fn::GetAtt': [Match.stringLikeRegexp('^SelfManagedClientSecurityGroup'), 'GroupId'] }]] } },
      ],
      DestinationConfig: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KAFKA_AUTH: 'scram-sha-512', KAFKA_BOOTSTRAP_SERVERS: 'b-1.example.com:9096,b-2.example.com:9096' }) } });
  });

  test('GIVEN self-managed Kafka with mutual TLS THEN CLIENT_CERTIFICATE_TLS_AUTH', () => {
    consumer({}, (s) => selfManagedCluster(s, true)).template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: Match.arrayWith([Match.objectLike({ Type: 'CLIENT_CERTIFICATE_TLS_AUTH' })]),
    });
  });
});

describe('KafkaConsumer validation', () => {
  test.each([
    [{ batchSize: 0 }, /batchSize must be an integer from 1 to 10000, got 0/],
    [{ batchSize: 10001 }, /batchSize must be an integer from 1 to 10000, got 10001/],
    [{ maxBatchingWindow: Duration.seconds(301) }, /maxBatchingWindow must be whole seconds from 0 to 300, got 5 minutes 1 second/],
    [{ maxBatchingWindow: Duration.millis(500) }, /maxBatchingWindow must be whole seconds from 0 to 300, got 500 millis/],
    [{ maxAttempts: 0 }, /maxAttempts must be an integer from 1 to 10001, got 0/],
    [{ recordConcurrency: 0 }, /recordConcurrency must be an integer from 1 to 100, got 0/],
    [{ recordConcurrency: 2.5 }, /recordConcurrency must be an integer from 1 to 100, got 2.5/],
    [{ timeout: Duration.minutes(15) }, /timeout must be at most 14 minutes for a Kafka event source mapping, got 900 s/],
    [{ consumerName: 'has space' }, /consumerName must be 1-100 characters of \[a-zA-Z0-9._-\], got 'has space'/],
    [{ consumerGroupId: 'bad group!' }, /consumerGroupId must be 1-200 characters of \[a-zA-Z0-9-\/\*:_\+=.@\], got 'bad group!'/],
    [{ provisionedPollers: { minimum: 1 } }, /provisionedPollers applies to latency LatencyProfile.LOW_LATENCY only/],
    [{ filters: [{}] }, /filters\[0\] must be a non-empty pattern object, got \{\}/],
    [{ filters: [{ data: { type: ['x'] } }] }, /filters\[0\] may match value, key, headers, topic, partition, offset or timestamp, got 'data'/],
    [{ memorySize: 64 }, /memorySize must be an integer from 128 to 10240 MB, got 64/],
  ])('GIVEN %p THEN it throws', (props, message) => {
    expect(() => consumer(props as Partial<KafkaConsumerProps>)).toThrow(message);
  });

  test('GIVEN a topic of another cluster THEN it throws', () => {
    const env = setup();
    const other = existingCluster(env.stack, { kafkaVersion: '3.9.x' });
    expect(() => new KafkaConsumer(env.stack, 'X', { cluster: other, topic: env.topic, entry: AUDIT_ENTRY }))
      .toThrow(/topic 'orders' belongs to another cluster than the consumer's cluster/);
  });

  test('GIVEN the consumed topic as dead-letter topic THEN it throws', () => {
    const env = setup();
    expect(() => new KafkaConsumer(env.stack, 'X', { cluster: env.cluster, topic: env.topic, entry: AUDIT_ENTRY, deadLetter: DeadLetter.kafkaTopic(env.topic) }))
      .toThrow(/deadLetter topic must differ from the consumed topic, got 'orders' for both/);
  });
});

describe('defaultFunctionProps', () => {
  test.each([
    ['externalModules of the function', { externalModules: ['pg-native'] }, ['@aws-sdk/*', 'pg-native']],
    ['the SDK named again', { externalModules: ['@aws-sdk/*', 'avro-js'] }, ['@aws-sdk/*', 'avro-js']],
    ['bundleAwsSDK', { bundleAwsSDK: true }, undefined],
    ['bundleAwsSDK and externalModules', { bundleAwsSDK: true, externalModules: ['pg-native'] }, ['pg-native']],
  ])('GIVEN %s WHEN merged THEN the AWS SDK stays external unless bundleAwsSDK', (_, bundling, externals) => {
    const props = defaultFunctionProps(testStack(), 'Fn', { entry: AUDIT_ENTRY, bundling });
    expect(props.bundling?.externalModules).toEqual(externals);
  });

  test('GIVEN a plain function THEN project defaults without a VPC', () => {
    const stack = testStack();
    const props = defaultFunctionProps(stack, 'Fn', { entry: AUDIT_ENTRY });
    expect(props).toMatchObject({ runtime: lambda.Runtime.NODEJS_22_X, architecture: lambda.Architecture.ARM_64, tracing: lambda.Tracing.ACTIVE, handler: 'handler' });
    expect(props.bundling).toMatchObject({ minify: true, sourceMap: true, sourcesContent: false, externalModules: ['@aws-sdk/*'] });
    expect(props.bundling?.bundleAwsSDK).toBeUndefined();
    expect(props.environment).toBeUndefined();
    expect(props.bundling?.dockerImage).toBeUndefined();
    createFunction(stack, 'Other', { entry: AUDIT_ENTRY, description: 'x' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Description: 'x', VpcConfig: Match.absent() });
  });
});
