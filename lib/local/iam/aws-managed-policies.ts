/**
 * The AWS-managed policies the project's functions are given, as AWS documents them (default
 * version). Local mode cannot read IAM: a role that attaches an AWS-managed policy not listed here
 * is refused by {@link awsManagedPolicy} with an error naming it, so that a new attachment is added
 * here (with its page) rather than silently treated as granting nothing or everything.
 */

/** An IAM policy document (the subset of the grammar local mode handles: iam-simulate validates the rest). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly unknown[] | unknown;
}

/** The documented JSON of one AWS-managed policy, with its reference page. */
interface AwsManagedPolicy {
  /** Policy version the document is (the default version on the page). */
  readonly version: string;
  readonly page: string;
  readonly document: PolicyDocument;
}

const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/** By the policy's path and name (`service-role/AWSLambdaBasicExecutionRole`). */
const AWS_MANAGED_POLICIES: Readonly<Record<string, AwsManagedPolicy>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    version: 'v1',
    page: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: LOGS, Resource: '*' }] },
  },
  'service-role/AWSLambdaVPCAccessExecutionRole': {
    version: 'v3',
    page: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'AWSLambdaVPCAccessExecutionPermissions',
        Effect: 'Allow',
        Action: [
          ...LOGS,
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: '*',
      }],
    },
  },
  'service-role/AWSLambdaMSKExecutionRole': {
    version: 'v2',
    page: 'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaMSKExecutionRole.html',
    document: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: [
          'kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers',
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DeleteNetworkInterface',
          'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
          ...LOGS,
        ],
        Resource: '*',
      }],
    },
  },
};

/** An AWS-managed policy ARN local mode has no document for. */
export class UnknownAwsManagedPolicyError extends Error {
  constructor(readonly policyArn: string, readonly roleName: string) {
    super(`Role ${roleName} attaches the AWS-managed policy ${policyArn}, which local mode does not know (known: ${Object.keys(AWS_MANAGED_POLICIES).join(', ')}); `
      + 'add its documented JSON to lib/local/iam/aws-managed-policies.ts, or run with IAM enforcement off');
    this.name = 'UnknownAwsManagedPolicyError';
  }
}

/** `arn:<partition>:iam::aws:policy/<path/name>` → `<path/name>`; undefined for a customer-managed ARN. */
export function awsManagedPolicyPath(policyArn: string): string | undefined {
  return /^arn:[a-z-]+:iam::aws:policy\/(.+)$/.exec(policyArn)?.[1];
}

/** The documented JSON of the AWS-managed policy `policyArn`; throws {@link UnknownAwsManagedPolicyError} for one not listed. */
export function awsManagedPolicy(policyArn: string, roleName: string): PolicyDocument {
  const key = awsManagedPolicyPath(policyArn);
  const known = key !== undefined && Object.prototype.hasOwnProperty.call(AWS_MANAGED_POLICIES, key) ? AWS_MANAGED_POLICIES[key] : undefined;
  if (!known) throw new UnknownAwsManagedPolicyError(policyArn, roleName);
  return known.document;
}
