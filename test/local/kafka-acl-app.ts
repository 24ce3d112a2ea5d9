import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { KafkaCluster } from '../../lib/cluster';
import { KafkaTopic } from '../../lib/topic';
import { RECORDER } from './fixtures/emulator-app';

/** Topics of the Kafka ACL app. */
export const ACL_TOPICS = { granted: 'acl.granted', other: 'acl.other', consumed: 'acl.consumed' } as const;
/** Consumer groups of its mappings. */
export const ACL_GROUPS = { noRead: 'acl-no-read', reader: 'acl-reader' } as const;

/**
 * A deliberately wrong app for Kafka authorization, on the library's cluster (IAM access control):
 * - `Publisher` may write `acl.granted` only (the library's produce grant), and is asked to
 *   publish to `acl.other` too;
 * - `NoRead` is the function of a mapping on `acl.consumed` whose role may connect, describe the
 *   topic and use its group, but not `kafka-cluster:ReadData`;
 * - `Reader` (the control) has the library's full consume grant on the same topic.
 */
export function buildKafkaAclApp(app: App): Stack {
  const stack = new Stack(app, 'KafkaAcl', { env: { account: '123456789012', region: 'eu-west-1' } });
  const cluster = new KafkaCluster(stack, 'Cluster');
  const granted = new KafkaTopic(stack, 'Granted', { cluster, topicName: ACL_TOPICS.granted });
  new KafkaTopic(stack, 'Other', { cluster, topicName: ACL_TOPICS.other });
  const consumed = new KafkaTopic(stack, 'Consumed', { cluster, topicName: ACL_TOPICS.consumed });
  const inVpc = { vpc: cluster.vpc, vpcSubnets: cluster.vpcSubnets, securityGroups: [cluster.clientSecurityGroup] };

  const publisher = new NodejsFunction(stack, 'Publisher', {
    ...inVpc,
    entry: path.join(__dirname, 'fixtures', 'functions', 'kafka-acl-caller.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(30),
    environment: cluster.connectionEnvironment(),
    bundling: { minify: false, sourceMap: false, bundleAwsSDK: true },
  });
  granted.grantProduce(publisher);

  const noRead = consumer(stack, 'NoRead', inVpc, cluster, ACL_GROUPS.noRead);
  cluster.grantConnect(noRead);
  noRead.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic'], resources: [consumed.topicArn] }));
  noRead.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [cluster.groupArn(ACL_GROUPS.noRead)] }));

  const reader = consumer(stack, 'Reader', inVpc, cluster, ACL_GROUPS.reader);
  consumed.grantConsume(reader, ACL_GROUPS.reader);
  return stack;
}

function consumer(stack: Stack, id: string, inVpc: Partial<lambda.FunctionProps>, cluster: KafkaCluster, groupId: string): NodejsFunction {
  const fn = new NodejsFunction(stack, id, {
    ...inVpc,
    entry: RECORDER,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(10),
    environment: { TAG: id },
    bundling: { minify: false, sourceMap: false },
  });
  new lambda.CfnEventSourceMapping(stack, `${id}Mapping`, {
    functionName: fn.functionName,
    eventSourceArn: cluster.clusterArn,
    topics: [ACL_TOPICS.consumed],
    startingPosition: 'TRIM_HORIZON',
    amazonManagedKafkaEventSourceConfig: { consumerGroupId: groupId },
  });
  return fn;
}
