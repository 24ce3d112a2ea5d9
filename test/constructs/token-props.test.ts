import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TaskChain } from '../../lib/chain';
import { KafkaCluster, KafkaVpc } from '../../lib/cluster';
import { ValidationError, validateInteger, validatePattern } from '../../lib/core/validate';
import { KafkaConsumer, LatencyProfile } from '../../lib/consumer';
import { CallbackGateway, GatewayProvider } from '../../lib/gateway';
import { KafkaTopic } from '../../lib/topic';
import { AUDIT_ENTRY, existingCluster, testStack } from './helpers';

/** A number known at deploy time only (a token that synthesizes to `{ Ref: id }`). */
const param = (stack: Stack, id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;

describe('validate (lib/core/validate.ts)', () => {
  test('GIVEN a value out of range THEN the message names the construct path, the prop, the range and the value', () => {
    const stack = testStack('Orders');
    expect(() => validateInteger(stack, 'batchSize', 0, 1, 10_000)).toThrow(new ValidationError(stack, 'batchSize must be an integer from 1 to 10000, got 0'));
    expect(() => validateInteger(stack, 'batchSize', 0, 1, 10_000)).toThrow('Orders: batchSize must be an integer from 1 to 10000, got 0');
  });

  test('GIVEN unresolved tokens THEN neither range nor pattern rules throw (CloudFormation checks them at deploy time)', () => {
    const stack = testStack();
    expect(() => validateInteger(stack, 'batchSize', param(stack, 'P'), 1, 10_000)).not.toThrow();
    expect(() => validatePattern(stack, 'consumerName', new CfnParameter(stack, 'S').valueAsString, /^[a-z]+$/, 'letters')).not.toThrow();
  });
});

describe('GIVEN a CfnParameter number for each numeric prop WHEN synthesized THEN the template refers to the parameter', () => {
  test('KafkaConsumer: batchSize, maxAttempts, recordConcurrency, memorySize, maxBatchingWindow, timeout', () => {
    const stack = testStack();
    const cluster = existingCluster(stack);
    const topic = new KafkaTopic(stack, 'Topic', { cluster, topicName: 'orders', partitions: param(stack, 'Partitions'), replicationFactor: param(stack, 'Replicas') });
    new KafkaConsumer(stack, 'Billing', {
      cluster, topic, entry: AUDIT_ENTRY,
      batchSize: param(stack, 'BatchSize'),
      maxAttempts: param(stack, 'MaxAttempts'),
      recordConcurrency: param(stack, 'RecordConcurrency'),
      memorySize: param(stack, 'Memory'),
      maxBatchingWindow: Duration.seconds(param(stack, 'Window')),
      timeout: Duration.seconds(param(stack, 'Timeout')),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: { Ref: 'BatchSize' }, MaximumBatchingWindowInSeconds: { Ref: 'Window' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: { Ref: 'Memory' },
      Timeout: { Ref: 'Timeout' },
      Environment: { Variables: { MAX_ATTEMPTS: { Ref: 'MaxAttempts' }, RECORD_CONCURRENCY: { Ref: 'RecordConcurrency' } } },
    });
    template.hasResourceProperties('Custom::KafkaTopic', { NumPartitions: { Ref: 'Partitions' }, ReplicationFactor: { Ref: 'Replicas' } });
  });

  test('KafkaConsumer: a token maxAttempts with LatencyProfile.LOW_LATENCY is refused (the mapping retries maxAttempts - 1 times)', () => {
    const stack = testStack();
    const cluster = existingCluster(stack);
    const topic = new KafkaTopic(stack, 'Topic', { cluster, topicName: 'orders', replicationFactor: 2 });
    expect(() => new KafkaConsumer(stack, 'Billing', { cluster, topic, entry: AUDIT_ENTRY, latency: LatencyProfile.LOW_LATENCY, maxAttempts: param(stack, 'MaxAttempts') }))
      .toThrow('TestStack/Billing: maxAttempts must be a literal value (with LatencyProfile.LOW_LATENCY the mapping retries maxAttempts - 1 times), got a token');
  });

  test('KafkaCluster: ebsVolumeGiB', () => {
    const stack = testStack();
    new KafkaCluster(stack, 'Cluster', { ebsVolumeGiB: param(stack, 'Volume') });
    Template.fromStack(stack).hasResourceProperties('AWS::MSK::Cluster', {
      BrokerNodeGroupInfo: { StorageInfo: { EBSStorageInfo: { VolumeSize: { Ref: 'Volume' } } } },
    });
  });

  test('KafkaCluster: brokerNodes and an existing cluster\'s brokerCount must be literal (topics check replication against them)', () => {
    const stack = testStack();
    expect(() => new KafkaCluster(stack, 'Cluster', { brokerNodes: param(stack, 'Brokers') }))
      .toThrow('TestStack/Cluster: brokerNodes must be a literal value (topics check their replication factor against it), got a token');
    const other = testStack();
    expect(() => existingCluster(other, { brokerCount: param(other, 'Brokers') }))
      .toThrow('TestStack/Existing: brokerCount must be a literal value (topics check their replication factor against it), got a token');
  });

  test('KafkaVpc: natGateways must be literal (it decides the subnet layout)', () => {
    const stack = testStack();
    expect(() => new KafkaVpc(stack, 'Vpc', { natGateways: param(stack, 'Nat') }))
      .toThrow('TestStack/Vpc: natGateways must be a literal value (it decides whether the subnets have a route to the internet), got a token');
  });

  test('TaskChain: partitions and runRetention; tasksPerStack must be literal', () => {
    const stack = testStack();
    const cluster = existingCluster(stack);
    new TaskChain(stack, 'Chain', {
      cluster, chainName: 'tokens', tasks: [{ name: 'a', entry: AUDIT_ENTRY }],
      partitions: param(stack, 'Partitions'),
      runRetention: Duration.days(param(stack, 'RetentionDays')),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::KafkaTopic', { TopicName: 'chain.tokens.events', NumPartitions: { Ref: 'Partitions' } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { RUN_RETENTION_DAYS: { Ref: 'RetentionDays' } } } });
    const other = testStack();
    expect(() => new TaskChain(other, 'Chain', { cluster: existingCluster(other), chainName: 'tokens', tasks: [{ name: 'a', entry: AUDIT_ENTRY }], tasksPerStack: param(other, 'PerStack') }))
      .toThrow('TestStack/Chain: tasksPerStack must be a literal value (it decides which nested stack holds each task), got a token');
  });

  test('CallbackGateway: maxBodyBytes, throttling, secretCacheTtl; GatewayProvider: toleranceSeconds, header, appId', () => {
    const stack = testStack();
    new CallbackGateway(stack, 'Gateway', {
      cluster: existingCluster(stack),
      providers: {
        acme: GatewayProvider.hmac({ toleranceSeconds: param(stack, 'Tolerance'), header: new CfnParameter(stack, 'Header').valueAsString }),
        alipay: GatewayProvider.alipay({ appId: new CfnParameter(stack, 'AppId').valueAsString }),
      },
      maxBodyBytes: param(stack, 'MaxBody'),
      throttling: { rateLimit: param(stack, 'Rate'), burstLimit: param(stack, 'Burst') },
      secretCacheTtl: Duration.seconds(param(stack, 'CacheTtl')),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: { Ref: 'Rate' }, ThrottlingBurstLimit: { Ref: 'Burst' } } });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { MAX_BODY_BYTES: { Ref: 'MaxBody' }, SECRET_CACHE_SECONDS: { Ref: 'CacheTtl' } } } });
    // the providers' options reach the function's PROVIDERS as references, resolved at deploy time
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { PROVIDERS: { 'Fn::Join': ['', [
      '{"acme":{"kind":"hmac","toleranceSeconds":', { Ref: 'Tolerance' }, ',"header":"', { Ref: 'Header' },
      '","secretEnv":"PROVIDER_SECRET_ACME"},"alipay":{"kind":"alipay","appId":"', { Ref: 'AppId' }, '","secretEnv":"PROVIDER_SECRET_ALIPAY"}}',
    ]] } } } });
  });
});
