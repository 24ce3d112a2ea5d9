import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KafkaCluster } from '../../lib/cluster';
import { grantTopicProduce } from '../../lib/topic/grants';
import { KafkaTopic } from '../../lib/topic';

/** The topic the network app's functions publish to. */
export const NETWORK_TOPIC = 'net.jobs';

/**
 * A deliberately wrong app for the network model, on the library's cluster (isolated subnets with
 * endpoints for DynamoDB, S3, Lambda, STS and Secrets Manager, no NAT):
 * - `IsolatedSqs` sends to an SQS queue from those subnets: no SQS endpoint, no NAT;
 * - `OutsideVpc` is a Kafka client outside any VPC;
 * - `Inside` (the control) is in the cluster's subnets and client security group, and writes to
 *   DynamoDB (gateway endpoint) and Kafka; it cannot call the app's HTTP API (no NAT).
 */
export function buildNetworkApp(app: App): Stack {
  const stack = new Stack(app, 'Net', { env: { account: '123456789012', region: 'eu-west-1' } });
  const cluster = new KafkaCluster(stack, 'Cluster');
  const topic = new KafkaTopic(stack, 'Jobs', { cluster, topicName: NETWORK_TOPIC });
  const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
  const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const inVpc = { vpc: cluster.vpc, vpcSubnets: cluster.vpcSubnets, securityGroups: [cluster.clientSecurityGroup] };
  const kafkaEnv = { ...cluster.connectionEnvironment(), TOPIC_NAME: NETWORK_TOPIC };

  const isolatedSqs = callerFunction(stack, 'IsolatedSqs', { ...inVpc, environment: { QUEUE_URL: queue.queueUrl } });
  queue.grantSendMessages(isolatedSqs);

  const outside = callerFunction(stack, 'OutsideVpc', { environment: kafkaEnv });
  grantTopicProduce(cluster, topic.topicArn, outside);

  const inside = callerFunction(stack, 'Inside', { ...inVpc, environment: { ...kafkaEnv, TABLE_NAME: table.tableName } });
  grantTopicProduce(cluster, topic.topicArn, inside);
  table.grantWriteData(inside);
  // A public endpoint: the control function, without internet egress, cannot call it.
  const api = new apigwv2.HttpApi(stack, 'Api');
  api.addRoutes({ path: '/jobs', methods: [apigwv2.HttpMethod.GET], integration: new HttpLambdaIntegration('Jobs', outside), authorizer: new HttpIamAuthorizer() });
  return stack;
}

function callerFunction(scope: Construct, id: string, props: Partial<lambda.FunctionProps>): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: path.join(__dirname, '..', 'local', 'fixtures', 'functions', 'network-caller.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(20),
    // Bundled as the project's functions are: the local worker has no Lambda-provided SDK.
    bundling: { minify: false, sourceMap: false, bundleAwsSDK: true },
    ...props,
  });
}
