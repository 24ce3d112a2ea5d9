import { Annotations, CfnOutput, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ClusterKind, IKafkaCluster, KafkaCluster } from '../cluster';
import { KafkaConsumer } from '../consumer';
import { lambdaEntry } from '../function/project-function';
import { KafkaTopic } from '../topic';
import { ValidationError } from '../core/validate';

/** Topic the foundation's audit consumer reads. */
export const AUDIT_TOPIC = 'events.audit';

/** Where the cluster comes from. */
export type ClusterMode = 'provisioned' | 'serverless' | 'existing';

/** An existing MSK cluster and its network, given without lookups (offline synth). */
export interface ExistingClusterContext {
  /** The cluster ARN. */
  readonly clusterArn: string;
  /** VPC id of the brokers. */
  readonly vpcId: string;
  /** Availability zones of `privateSubnetIds`, same order. */
  readonly availabilityZones: string[];
  /** Subnets functions are placed in. */
  readonly privateSubnetIds: string[];
  /** Security group the brokers accept IAM clients (9098) from. */
  readonly securityGroupId: string;
  /**
   * Provisioned or serverless.
   * @default ClusterKind.PROVISIONED
   */
  readonly kind?: ClusterKind.PROVISIONED | ClusterKind.SERVERLESS;
  /**
   * Kafka version (3.6+ lets topics be `AWS::MSK::Topic`).
   * @default - unknown: topics use the custom resource
   */
  readonly kafkaVersion?: string;
  /**
   * Broker count.
   * @default 3
   */
  readonly brokerCount?: number;
}

/** Properties of the foundation stack. */
export interface FoundationStackProps extends StackProps {
  /**
   * Where the cluster comes from.
   * @default 'provisioned'
   */
  readonly clusterMode?: ClusterMode;
  /** The existing cluster and its network. @default - none: required when `clusterMode` is 'existing' */
  readonly existing?: ExistingClusterContext;
  /**
   * What `cdk destroy` does to a new cluster and its broker logs. The example deletes them so
   * that destroying it stops the charges; the construct's own default is RETAIN.
   * @default RemovalPolicy.DESTROY
   */
  readonly clusterRemovalPolicy?: RemovalPolicy;
  /**
   * NAT gateways of the new VPC: 0 keeps the subnets isolated (VPC endpoints only); the simulated
   * payment provider's notifier needs 1 to reach the gateway's public URL.
   * @default 0
   */
  readonly natGateways?: number;
  /**
   * E-mail address subscribed to the alarm topic (the address confirms the subscription by mail).
   * @default - no subscription: subscribe to the `AlarmTopicArn` output yourself
   */
  readonly alarmEmail?: string;
}

/**
 * The base every pattern builds on: the VPC and MSK cluster (or an imported one), the
 * `events.audit` topic and one consumer that logs each event.
 */
export class FoundationStack extends Stack {
  public readonly cluster: IKafkaCluster;
  public readonly auditTopic: KafkaTopic;
  public readonly auditLog: KafkaConsumer;
  /** The one topic every alarm of the example app notifies. */
  public readonly alarmTopic: sns.Topic;
  /** `alarmTopic` as an alarm action, for the pattern stacks. */
  public readonly alarmAction: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: FoundationStackProps = {}) {
    super(scope, id, props);
    const mode = props.clusterMode ?? 'provisioned';
    if (mode === 'existing') {
      const existing = props.existing;
      if (!existing) {
        throw new ValidationError(this, "clusterMode 'existing' needs the cluster and its network: context clusterArn, vpcId, availabilityZones, privateSubnetIds, securityGroupId");
      }
      if (existing.availabilityZones.length !== existing.privateSubnetIds.length || existing.privateSubnetIds.length === 0) {
        throw new ValidationError(this, `existing privateSubnetIds (${existing.privateSubnetIds.length}) and availabilityZones (${existing.availabilityZones.length}) must be non-empty lists of the same length`);
      }
      const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: existing.vpcId,
        availabilityZones: existing.availabilityZones,
        privateSubnetIds: existing.privateSubnetIds,
      });
      Annotations.of(vpc).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'Functions only attach to these subnets; nothing is added to their route tables');
      this.cluster = KafkaCluster.fromClusterAttributes(this, 'Cluster', {
        clusterArn: existing.clusterArn,
        vpc,
        vpcSubnets: { subnets: vpc.privateSubnets },
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(this, 'ClientSecurityGroup', existing.securityGroupId),
        kind: existing.kind,
        kafkaVersion: existing.kafkaVersion,
        brokerCount: existing.brokerCount,
      });
    } else if (mode === 'provisioned' || mode === 'serverless') {
      this.cluster = new KafkaCluster(this, 'Cluster', {
        kind: mode === 'serverless' ? ClusterKind.SERVERLESS : ClusterKind.PROVISIONED,
        natGateways: props.natGateways,
        removalPolicy: props.clusterRemovalPolicy ?? RemovalPolicy.DESTROY,
      });
    } else {
      throw new ValidationError(this, `clusterMode must be 'provisioned', 'serverless' or 'existing', got '${mode}'`);
    }

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'MSK event pipelines alarms', enforceSSL: true });
    // CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and a CMK
    // for alarm texts (no secrets in them) costs more than it protects.
    // @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
    Validations.of(this.alarmTopic).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'Alarm notifications carry no secrets; CloudWatch cannot publish to a topic under the AWS managed SNS key' });
    if (props.alarmEmail) {
      const subscription = this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({ id: 'Serverless-SNSRedrivePolicy', reason: 'An e-mail of an alarm that SNS cannot deliver has nothing to redrive: the alarm\'s state and history stay in CloudWatch' });
    }
    this.alarmAction = new SnsAction(this.alarmTopic);

    this.auditTopic = new KafkaTopic(this, 'AuditTopic', { cluster: this.cluster, topicName: AUDIT_TOPIC });
    this.auditLog = new KafkaConsumer(this, 'AuditLog', {
      cluster: this.cluster,
      topic: this.auditTopic,
      entry: lambdaEntry('examples/audit-log'),
      alarmAction: this.alarmAction,
    });

    if (this.cluster.clusterArn) new CfnOutput(this, 'ClusterArn', { value: this.cluster.clusterArn });
    new CfnOutput(this, 'AuditTopicName', { value: this.auditTopic.topicName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    new CfnOutput(this, 'AuditLogFunction', { value: this.auditLog.function.functionName });
  }
}
