import { Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** What a cluster publishes for other stacks, and the names it publishes it under. */
export interface ClusterAttributeValues {
  readonly clusterArn: string;
  readonly saslIamBrokers: string;
  readonly clientSecurityGroupId: string;
  readonly subnetIds: string[];
  readonly vpcId: string;
}

const KEYS = { clusterArn: 'cluster-arn', saslIamBrokers: 'bootstrap-brokers', clientSecurityGroupId: 'client-security-group-id', subnetIds: 'subnet-ids', vpcId: 'vpc-id' } as const;

/**
 * Publishes a cluster's attributes as SSM parameters under `prefix`. Stacks that use the cluster read
 * them through SSM parameter types (`valueForStringParameter`), which CloudFormation resolves at each
 * deployment, instead of importing CloudFormation exports: an export in use blocks any change that
 * replaces the cluster, a parameter does not.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#aws-ssm-parameter-types
 */
export function publishClusterAttributes(scope: Construct, prefix: string, values: ClusterAttributeValues): void {
  const put = (key: keyof typeof KEYS, value: string) => new ssm.StringParameter(scope, `Parameter-${KEYS[key]}`, {
    parameterName: `${prefix}/${KEYS[key]}`,
    stringValue: value,
    description: `MSK cluster attribute read by the stacks that use the cluster (${KEYS[key]})`,
  });
  put('clusterArn', values.clusterArn);
  put('saslIamBrokers', values.saslIamBrokers);
  put('clientSecurityGroupId', values.clientSecurityGroupId);
  put('subnetIds', Fn.join(',', values.subnetIds));
  put('vpcId', values.vpcId);
}

/** The attributes of `prefix` as read by the stack of `scope` (template parameters of SSM types). */
export function readClusterAttributes(scope: Construct, prefix: string, subnetCount: number): ClusterAttributeValues {
  const read = (key: keyof typeof KEYS) => ssm.StringParameter.valueForStringParameter(scope, `${prefix}/${KEYS[key]}`);
  return {
    clusterArn: read('clusterArn'),
    saslIamBrokers: read('saslIamBrokers'),
    clientSecurityGroupId: read('clientSecurityGroupId'),
    subnetIds: Fn.split(',', read('subnetIds'), subnetCount),
    // Read only if something needs it (functions attach to subnets and a group, not to a VPC id).
    vpcId: Lazy.string({ produce: () => read('vpcId') }),
  };
}

/** A VPC imported from published attributes: functions of the stack attach to its subnets. */
export function vpcFromAttributes(scope: Construct, attrs: ClusterAttributeValues, availabilityZones: string[]): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: attrs.vpcId, availabilityZones, privateSubnetIds: attrs.subnetIds });
}

/** The default parameter prefix of a cluster. */
export function defaultParameterPrefix(clusterName: string): string {
  return `/msk-pipelines/${clusterName}`;
}

/** The stack `scope` belongs to (for caching one reference per stack). */
export function stackOf(scope: Construct): Stack {
  return Stack.of(scope);
}
