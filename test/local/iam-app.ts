import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * A deliberately wrong app for IAM (no VPC: the network lets every call through):
 * - `Wrong` may read table A but not write it, may write table B, and was granted neither the
 *   secret nor the queue;
 * - `Granted` (the control) may write table A, read the secret and send to the queue.
 */
export function buildIamApp(app: App): Stack {
  const stack = new Stack(app, 'Iam', { env: { account: '123456789012', region: 'eu-west-1' } });
  const tableA = new dynamodb.Table(stack, 'TableA', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const tableB = new dynamodb.Table(stack, 'TableB', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const secret = new secretsmanager.Secret(stack, 'Secret');
  const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
  const environment = { TABLE_A: tableA.tableName, TABLE_B: tableB.tableName, SECRET_ARN: secret.secretArn, QUEUE_URL: queue.queueUrl };

  const wrong = callerFunction(stack, 'Wrong', environment);
  tableA.grantReadData(wrong);
  tableB.grantWriteData(wrong);

  const granted = callerFunction(stack, 'Granted', environment);
  tableA.grantWriteData(granted);
  secret.grantRead(granted);
  queue.grantSendMessages(granted);
  return stack;
}

function callerFunction(scope: Construct, id: string, environment: Record<string, string>): NodejsFunction {
  return new NodejsFunction(scope, id, {
    entry: path.join(__dirname, 'fixtures', 'functions', 'iam-caller.ts'),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(20),
    environment,
    // Bundled as the project's functions are: the local worker has no Lambda-provided SDK.
    bundling: { minify: false, sourceMap: false, bundleAwsSDK: true },
  });
}
