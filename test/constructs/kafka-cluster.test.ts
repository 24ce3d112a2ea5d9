import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ClusterKind, KafkaCluster } from '../../lib/cluster';
import { KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE } from '../../lib/cluster/bootstrap-brokers';
import { versionSupportsTopicResource } from '../../lib/cluster/kafka-cluster';
import { FanoutTopic } from '../../lib/fanout';
import { AUDIT_ENTRY, EXISTING_ARN, existingCluster, selfManagedCluster, testStack } from './helpers';

/** Short names of the VPC endpoint services (`com.amazonaws.<region>.<name>`). */
function endpointServices(t: Template): string[] {
  return Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((r: any) => {
    const name = JSON.stringify(r.Properties.ServiceName);
    return /\.([a-z0-9]+)"\]\]\}$/.exec(name)?.[1] ?? name;
  });
}

describe('KafkaCluster (provisioned)', () => {
  test('GIVEN defaults WHEN synthesized THEN IAM auth only, TLS everywhere, broker logs, two brokers in private subnets', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::MSK::Cluster', {
      KafkaVersion: '3.9.x',
      NumberOfBrokerNodes: 2,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true } } },
      BrokerNodeGroupInfo: { InstanceType: 'kafka.t3.small', StorageInfo: { EBSStorageInfo: { VolumeSize: 20 } } },
    });
    t.hasResource('AWS::MSK::Cluster', { DeletionPolicy: 'Retain' });
    expect(cluster.kind).toBe(ClusterKind.PROVISIONED);
    expect(cluster.brokerCount).toBe(2);
    expect(cluster.supportsTopicResource).toBe(true);
    expect(stack.resolve(cluster.connectionEnvironment())).toEqual({
      KAFKA_CLUSTER_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] },
      KAFKA_BOOTSTRAP_SERVERS: { 'Fn::GetAtt': [expect.stringMatching(/^ClusterBrokers/), 'BootstrapBrokerStringSaslIam'] },
      KAFKA_AUTH: 'iam',
    });
  });

  test('GIVEN defaults THEN the brokers are looked up at deploy time by a function outside the VPC, allowed GetBootstrapBrokers on this cluster only', () => {
    const stack = testStack();
    new KafkaCluster(stack, 'Cluster');
    const t = Template.fromStack(stack);
    const clusterArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] };
    const lookups = t.findResources(KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE);
    expect(Object.keys(lookups)).toHaveLength(1);
    const [lookup] = Object.values(lookups) as any[];
    const create = JSON.stringify(lookup.Properties.Create);
    expect(create).toContain('\\"service\\":\\"Kafka\\",\\"action\\":\\"GetBootstrapBrokers\\"');
    expect(create).toContain('\\"outputPaths\\":[\\"BootstrapBrokerStringSaslIam\\"]');
    expect(lookup.Properties.Update).toEqual(lookup.Properties.Create);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'kafka:GetBootstrapBrokers', Effect: 'Allow', Resource: clusterArn }] },
    });
    // CDK's AwsCustomResource function: no VpcConfig, so it reaches the public MSK API
    const lookupFunction = Object.values(t.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Handler === 'index.handler') as any;
    expect(lookupFunction.Properties.VpcConfig).toBeUndefined();
    expect(lookup.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [Object.keys(t.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } }))[0], 'Arn'] });
  });

  test('GIVEN defaults THEN a two-AZ isolated VPC with endpoints, no NAT, and flow logs', () => {
    const stack = testStack();
    new KafkaCluster(stack, 'Cluster');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.resourceCountIs('AWS::EC2::FlowLog', 1);
    expect(endpointServices(t)).toEqual(expect.arrayContaining(['lambda', 'sts', 'secretsmanager', 's3', 'dynamodb']));
    expect(endpointServices(t)).not.toContain('kafka');
    expect(endpointServices(t)).not.toContain('sqs');
    t.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 2);
  });

  test('GIVEN defaults THEN brokers accept 9098 only from the client group and themselves, never 0.0.0.0/0', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster');
    const t = Template.fromStack(stack);
    const inline = Object.values(t.findResources('AWS::EC2::SecurityGroup')).flatMap((r: any) => r.Properties.SecurityGroupIngress ?? []);
    expect(JSON.stringify(inline)).not.toContain('0.0.0.0/0');
    expect(JSON.stringify(t.findResources('AWS::EC2::SecurityGroupIngress'))).not.toContain('0.0.0.0/0');
    const ingress = t.findResources('AWS::EC2::SecurityGroupIngress');
    const brokerId = stack.resolve((cluster.brokerSecurityGroup.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
    const toBrokers = Object.values(ingress).filter((r: any) => r.Properties.GroupId['Fn::GetAtt'][0] === brokerId);
    expect(toBrokers).toHaveLength(2);
    for (const rule of toBrokers as any[]) {
      expect(rule.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098 });
      expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
    }
  });

  test('GIVEN a customer key THEN encryption at rest uses it', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new KafkaCluster(stack, 'Cluster', { encryptionKey: key });
    Template.fromStack(stack).hasResourceProperties('AWS::MSK::Cluster', {
      EncryptionInfo: { EncryptionAtRest: { DataVolumeKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } } },
    });
  });

  test('GIVEN natGateways 1 THEN private subnets with egress and one NAT', () => {
    const stack = testStack();
    new KafkaCluster(stack, 'Cluster', { natGateways: 1 });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('GIVEN a VPC THEN no new VPC is made and brokers go in its subnets', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'MyVpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const cluster = new KafkaCluster(stack, 'Cluster', { vpc, brokerNodes: 4, instanceType: 'kafka.m7g.large', ebsVolumeGiB: 100, kafkaVersion: '3.5.1' });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 1);
    Template.fromStack(stack).hasResourceProperties('AWS::MSK::Cluster', { NumberOfBrokerNodes: 4, KafkaVersion: '3.5.1', BrokerNodeGroupInfo: { InstanceType: 'kafka.m7g.large' } });
    expect(cluster.supportsTopicResource).toBe(false);
  });

  test.each([
    [{ brokerNodes: 3 }, /brokerNodes must be a multiple of the number of client subnets \(2\) and at least 2, got 3/],
    [{ brokerNodes: 0 }, /brokerNodes .* got 0/],
    [{ ebsVolumeGiB: 0 }, /ebsVolumeGiB must be an integer from 1 to 16384, got 0/],
    [{ natGateways: 3 }, /natGateways must be an integer from 0 to 2, got 3/],
    [{ clusterName: 'bad_name' }, /clusterName must be 1-64 characters \[a-zA-Z0-9-\] starting with a letter, got 'bad_name'/],
    [{ kind: ClusterKind.EXISTING as any }, /kind must be ClusterKind.PROVISIONED or ClusterKind.SERVERLESS for a new cluster, got 'existing'/],
  ])('GIVEN %j THEN it throws', (props, message) => {
    expect(() => new KafkaCluster(testStack(), 'Cluster', props)).toThrow(message);
  });

  test('GIVEN a grantee WHEN grantConnect THEN kafka-cluster:Connect on the cluster ARN and nothing else (no discovery, no DescribeCluster)', () => {
    const stack = testStack();
    const cluster = existingCluster(stack);
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    cluster.grantConnect(role);
    const t = Template.fromStack(stack);
    const roleId = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId);
    const [policy] = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as any[];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{ Action: 'kafka-cluster:Connect', Effect: 'Allow', Resource: EXISTING_ARN }]);
  });
});

describe('KafkaCluster (serverless)', () => {
  test('GIVEN kind SERVERLESS THEN an IAM-auth serverless cluster, 3 replicas, custom topic resource, brokers looked up at deploy time, no MSK API endpoint', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster', { kind: ClusterKind.SERVERLESS });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::MSK::ServerlessCluster', { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } });
    t.resourceCountIs('AWS::MSK::Cluster', 0);
    t.resourceCountIs(KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE, 1);
    expect(endpointServices(t)).not.toContain('kafka');
    expect(cluster.brokerCount).toBe(3);
    expect(cluster.serverless).toBe(true);
    expect(cluster.supportsTopicResource).toBe(false);
  });

  test.each(['kafkaVersion', 'brokerNodes', 'instanceType', 'ebsVolumeGiB'])('GIVEN serverless with %s THEN it throws', (prop) => {
    const value = prop === 'kafkaVersion' || prop === 'instanceType' ? 'x' : 2;
    expect(() => new KafkaCluster(testStack(), 'Cluster', { kind: ClusterKind.SERVERLESS, [prop]: value }))
      .toThrow(new RegExp(`${prop} applies to provisioned clusters only`));
  });
});

describe('KafkaCluster.fromClusterAttributes', () => {
  test('GIVEN an ARN THEN name, IAM ARNs and environment come from it', () => {
    const stack = testStack();
    const cluster = existingCluster(stack, { kafkaVersion: '3.6.0' });
    expect(cluster.kind).toBe(ClusterKind.EXISTING);
    expect(cluster.clusterName).toBe('orders');
    expect(cluster.supportsTopicResource).toBe(true);
    expect(cluster.topicArn('t1')).toBe('arn:aws:kafka:eu-west-1:123456789012:topic/orders/11111111-2222-3333-4444-555555555555-2/t1');
    expect(cluster.groupArn('g1')).toBe('arn:aws:kafka:eu-west-1:123456789012:group/orders/11111111-2222-3333-4444-555555555555-2/g1');
    expect(stack.resolve(cluster.connectionEnvironment())).toEqual({
      KAFKA_CLUSTER_ARN: EXISTING_ARN,
      KAFKA_BOOTSTRAP_SERVERS: { 'Fn::GetAtt': [expect.stringMatching(/^ExistingBrokers/), 'BootstrapBrokerStringSaslIam'] },
      KAFKA_AUTH: 'iam',
    });
  });

  test('GIVEN no version or a serverless kind THEN topics use the custom resource', () => {
    expect(existingCluster(testStack()).supportsTopicResource).toBe(false);
    const sl = existingCluster(testStack(), { kind: ClusterKind.SERVERLESS, kafkaVersion: '3.9.x' });
    expect(sl.supportsTopicResource).toBe(false);
    expect(sl.serverless).toBe(true);
    expect(sl.brokerCount).toBe(3);
  });

  test('GIVEN brokerCount 0 THEN it throws', () => {
    expect(() => existingCluster(testStack(), { brokerCount: 0 })).toThrow(/brokerCount must be a positive integer, got 0/);
  });

  test('GIVEN a token ARN THEN topic ARNs are built at deploy time', () => {
    const stack = testStack();
    const cluster = new KafkaCluster(stack, 'Cluster');
    const arn = stack.resolve(cluster.topicArn('t1'));
    expect(JSON.stringify(arn)).toContain('Fn::Split');
    expect(JSON.stringify(arn)).toContain(':topic/');
  });
});

describe('KafkaCluster.selfManaged', () => {
  test('GIVEN SCRAM THEN bootstrap servers, scram auth and the secret in the environment', () => {
    const stack = testStack();
    const cluster = selfManagedCluster(stack);
    expect(cluster.kind).toBe(ClusterKind.SELF_MANAGED);
    expect(cluster.connectionEnvironment()).toEqual({
      KAFKA_BOOTSTRAP_SERVERS: 'b-1.example.com:9096,b-2.example.com:9096',
      KAFKA_AUTH: 'scram-sha-512',
      KAFKA_SECRET_ARN: expect.stringContaining('AmazonMSK_kafka'),
    });
    expect(cluster.supportsTopicResource).toBe(false);
  });

  test('GIVEN mutual TLS THEN KAFKA_AUTH is tls', () => {
    expect(selfManagedCluster(testStack(), true).connectionEnvironment().KAFKA_AUTH).toBe('tls');
  });

  test.each([[[]], [['no-port']]])('GIVEN bootstrapServers %j THEN it throws', (servers) => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'V', { vpcId: 'vpc-1', availabilityZones: ['a'], privateSubnetIds: ['s'] });
    const secret = { secretArn: 'arn' } as any;
    expect(() => KafkaCluster.selfManaged(stack, 'Sm', { bootstrapServers: servers, vpc, authentication: { mechanism: 'scram-sha-512', secret } as any }))
      .toThrow(/bootstrapServers/);
  });
});

test('versionSupportsTopicResource: 3.6 and later', () => {
  expect(['3.5.1', '2.8.1', undefined, 'x'].map(versionSupportsTopicResource)).toEqual([false, false, false, false]);
  expect(['3.6.0', '3.9.x', '4.0.x'].map(versionSupportsTopicResource)).toEqual([true, true, true]);
});

describe('deprecated import names', () => {
  test('GIVEN KafkaCluster.fromClusterArn(attrs) and FanoutTopic.fromTopicName(attrs) (deprecated) THEN they build what fromClusterAttributes / fromTopicAttributes build', () => {
    const build = (deprecated: boolean) => {
      const stack = testStack();
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
      const attrs = { clusterArn: EXISTING_ARN, vpc, securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-1') };
      const cluster = deprecated ? KafkaCluster.fromClusterArn(stack, 'C', attrs) : KafkaCluster.fromClusterAttributes(stack, 'C', attrs);
      const topic = deprecated ? FanoutTopic.fromTopicName(stack, 'T', { cluster, topicName: 'orders' }) : FanoutTopic.fromTopicAttributes(stack, 'T', { cluster, topicName: 'orders' });
      topic.addConsumer('billing', { entry: AUDIT_ENTRY });
      return Template.fromStack(stack).toJSON();
    };
    expect(build(true)).toEqual(build(false));
  });
});
