import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ClusterKind, KafkaCluster, SelfManagedAuth } from '../../lib/cluster';
import { lambdaEntry } from '../../lib/function/project-function';

/** An app that skips function bundling: construct tests assert shapes, not bundles. */
export function testStack(id = 'TestStack'): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, id);
}

export const AUDIT_ENTRY = lambdaEntry('examples/audit-log');
export const EXISTING_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/11111111-2222-3333-4444-555555555555-2';
/** Topic ARNs of the existing cluster: this prefix and the topic name. */
export const TOPIC_ARN_PREFIX = 'arn:aws:kafka:eu-west-1:123456789012:topic/orders/11111111-2222-3333-4444-555555555555-2/';

export function existingCluster(stack: Stack, attrs: { kind?: ClusterKind.PROVISIONED | ClusterKind.SERVERLESS; kafkaVersion?: string; brokerCount?: number } = {}) {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60718', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'],
  });
  return KafkaCluster.fromClusterAttributes(stack, 'Existing', {
    clusterArn: EXISTING_ARN,
    vpc,
    securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0a1b2c3d4e5f60799'),
    ...attrs,
  });
}

export function selfManagedCluster(stack: Stack, tls = false) {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'SmVpc', {
    vpcId: 'vpc-0f1e2d3c4b5a69788', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-0a1b2c3d4e5f60733', 'subnet-0a1b2c3d4e5f60744'],
  });
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'KafkaSecret', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_kafka-AbCdEf');
  return KafkaCluster.selfManaged(stack, 'SelfManaged', {
    bootstrapServers: ['b-1.example.com:9096', 'b-2.example.com:9096'],
    vpc,
    authentication: tls ? SelfManagedAuth.mutualTls(secret) : SelfManagedAuth.scram(secret),
  });
}
