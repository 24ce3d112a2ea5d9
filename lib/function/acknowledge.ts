import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The AWS managed policies a Lambda function in a VPC (and reading MSK) is given by CDK. */
export const LAMBDA_MANAGED_POLICIES = [
  'AWSLambdaBasicExecutionRole',
  'AWSLambdaVPCAccessExecutionRole',
  'AWSLambdaMSKExecutionRole',
];

/**
 * Acknowledges the cdk-nag findings every project function has by design, one finding at a time:
 * the AWS managed execution policies and X-Ray's `Resource::*`.
 */
export function acknowledgeFunctionFindings(fn: IConstruct, invokedBy: string): void {
  const v = Validations.of(fn);
  for (const policy of LAMBDA_MANAGED_POLICIES) {
    v.acknowledge({
      id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
      reason: `${policy} is the documented minimum for a function in a VPC${policy.includes('MSK') ? ' polled by an MSK event source mapping' : ''}`,
    });
  }
  v.acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing (PutTraceSegments, PutTelemetryRecords) supports only Resource *' });
  const pinned = 'Node.js 22.x is pinned on purpose: the local emulator runs the same bundles on Node.js 20/22, and esbuild targets node20';
  v.acknowledge({ id: 'AwsSolutions-L1', reason: pinned });
  v.acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: pinned });
  v.acknowledge({ id: 'Serverless-LambdaDLQ', reason: `Invoked synchronously by ${invokedBy}; it has no asynchronous invocations to dead-letter` });
  v.acknowledge({ id: 'Serverless-LambdaAsyncFailureDestination', reason: `Invoked synchronously by ${invokedBy}` });
}

/**
 * Acknowledges the findings of a function CDK itself provides for a custom resource (the provider
 * framework, AwsCustomResource): its runtime, role and settings are CDK's, and CloudFormation invokes
 * it synchronously, once per deployment change. `what` names the function in the reasons.
 */
export function acknowledgeCdkProviderFunction(scope: IConstruct, what: string): void {
  const v = Validations.of(scope);
  v.acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: `${what} needs only basic execution` });
  v.acknowledge({ id: 'AwsSolutions-L1', reason: `${what} pins its own runtime` });
  v.acknowledge({ id: 'Serverless-LambdaLatestVersion', reason: `${what} pins its own runtime` });
  v.acknowledge({ id: 'Serverless-LambdaDLQ', reason: `CloudFormation invokes ${what} synchronously; failures fail the deployment` });
  v.acknowledge({ id: 'Serverless-LambdaAsyncFailureDestination', reason: `Invoked synchronously by CloudFormation (${what})` });
  v.acknowledge({ id: 'Serverless-LambdaDefaultMemorySize', reason: `${what} only relays one call per deployment change` });
  v.acknowledge({ id: 'Serverless-LambdaTracing', reason: `${what} only relays one call per deployment change` });
}
