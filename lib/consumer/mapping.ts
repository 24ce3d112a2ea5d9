import { createHash } from 'crypto';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClusterKind, IKafkaCluster } from '../cluster';
import { LatencyProfile } from './latency-profile';

/** What one consumer's event source mapping is made of. */
export interface KafkaMappingOptions {
  /** The cluster the mapping polls (MSK: its ARN; self-managed: its brokers, network and secret). */
  readonly cluster: IKafkaCluster;
  /** The one topic the mapping reads. */
  readonly topicName: string;
  /** The mapping's consumer group; part of the mapping's construct id (see `mappingId`). */
  readonly consumerGroupId: string;
  /** Where a new consumer group starts reading. */
  readonly startingPosition: lambda.StartingPosition;
  /** Most records per invocation (validated by KafkaConsumer). */
  readonly batchSize: number;
  /** How long Lambda gathers records before invoking. @default - Lambda's default for Kafka (500 ms) */
  readonly maxBatchingWindow?: Duration;
  /** Event filter patterns, OR'ed; records no pattern matches are skipped. @default - every record */
  readonly filters?: Array<Record<string, any>>;
  /** Economical (on-demand pollers, no error-handling controls) or low latency (provisioned pollers). */
  readonly latency: LatencyProfile;
  /** The mapping-level destination, used in the low-latency profile only. */
  readonly onFailure: lambda.IEventSourceDlq;
  /** Invocations per batch before it goes to `onFailure` (low latency only: `retryAttempts` = this − 1). */
  readonly maxAttempts: number;
  /** Provisioned pollers of a low-latency mapping (ignored by an economical one). */
  readonly provisionedPollers: { readonly minimum: number; readonly maximum: number };
}

/**
 * The construct id of the mapping: it carries the consumer group id, because Lambda cannot change a
 * mapping's group id in place (CloudFormation lists the property as updatable, Lambda refuses it).
 * A new group id thus gives a new logical id, and CloudFormation creates the new mapping before it
 * deletes the old one.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-lambda-eventsourcemapping-amazonmanagedkafkaeventsourceconfig.html
 */
export function mappingId(consumerGroupId: string): string {
  return `KafkaMapping${createHash('sha256').update(consumerGroupId).digest('hex').slice(0, 8).toUpperCase()}`;
}

/**
 * Adds the consumer's event source mapping to `fn`. Lambda's error-handling controls for Kafka —
 * retry attempts, bisect, partial batch responses and the on-failure destination — are documented
 * for provisioned pollers only, so an economical (on-demand) mapping carries none of them: it
 * retries a failing batch until it succeeds, and the runtime bounds retries and dead-letters itself.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html
 */
export function addKafkaMapping(fn: lambda.Function, o: KafkaMappingOptions): lambda.EventSourceMapping {
  const lowLatency = o.latency === LatencyProfile.LOW_LATENCY;
  const { cluster } = o;
  const mapping = fn.addEventSourceMapping(mappingId(o.consumerGroupId), {
    kafkaTopic: o.topicName,
    kafkaConsumerGroupId: o.consumerGroupId,
    startingPosition: o.startingPosition,
    batchSize: o.batchSize,
    maxBatchingWindow: o.maxBatchingWindow,
    filters: o.filters?.map((pattern) => lambda.FilterCriteria.filter(pattern)),
    supportS3OnFailureDestination: true,
    ...(lowLatency ? {
      onFailure: o.onFailure,
      provisionedPollerConfig: { minimumPollers: o.provisionedPollers.minimum, maximumPollers: o.provisionedPollers.maximum },
      retryAttempts: o.maxAttempts - 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
    } : {}),
    ...(cluster.kind === ClusterKind.SELF_MANAGED
      ? { kafkaBootstrapServers: cluster.bootstrapServers!, sourceAccessConfigurations: selfManagedAccess(cluster) }
      : { eventSourceArn: cluster.clusterArn! }),
  });
  if (cluster.kind !== ClusterKind.SELF_MANAGED) {
    // AWS's documented minimum for an MSK mapping's execution role (kafka:DescribeClusterV2,
    // kafka:GetBootstrapBrokers and the EC2 network-interface actions the pollers need). CDK's
    // ManagedKafkaEventSource would also add kafka:ListScramSecrets, which IAM auth never uses.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
    fn.role?.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaMSKExecutionRole'));
  }
  return mapping;
}

/**
 * How Lambda reaches self-managed brokers: the cluster's subnets and security group, and the
 * authentication secret (read by the pollers, granted by `cluster.grantConnect`).
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html
 */
function selfManagedAccess(cluster: IKafkaCluster): lambda.SourceAccessConfiguration[] {
  const auth = cluster.selfManagedAuth!;
  const access: lambda.SourceAccessConfiguration[] = [
    {
      type: auth.mechanism === 'tls' ? lambda.SourceAccessConfigurationType.CLIENT_CERTIFICATE_TLS_AUTH : lambda.SourceAccessConfigurationType.SASL_SCRAM_512_AUTH,
      uri: auth.secret.secretArn,
    },
  ];
  if (auth.rootCa) access.push({ type: lambda.SourceAccessConfigurationType.SERVER_ROOT_CA_CERTIFICATE, uri: auth.rootCa.secretArn });
  for (const subnetId of cluster.vpc.selectSubnets(cluster.vpcSubnets).subnetIds) {
    access.push({ type: lambda.SourceAccessConfigurationType.VPC_SUBNET, uri: `subnet:${subnetId}` });
  }
  access.push({ type: lambda.SourceAccessConfigurationType.VPC_SECURITY_GROUP, uri: `security_group:${cluster.clientSecurityGroup.securityGroupId}` });
  return access;
}
