import { Annotations, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CfnCluster, CfnServerlessCluster } from 'aws-cdk-lib/aws-msk';
import { Construct, IConstruct } from 'constructs';
import { validate, validateInteger, validateLiteral, validateNumber, validatePattern, ValidationError } from '../core/validate';
import { clusterNameFromArn, mskResourceArn } from './arns';
import { ClusterKind, DEFAULT_KAFKA_VERSION, MSK_IAM_PORT, SERVERLESS_REPLICAS } from './cluster-kind';
import { BootstrapBrokersLookup } from './bootstrap-brokers';
import { defaultParameterPrefix, publishClusterAttributes, readClusterAttributes, vpcFromAttributes } from './cluster-parameters';
import { KafkaVpc } from './network';
import { SelfManagedAuth } from './self-managed-auth';
import { KafkaEnv } from '../../lambdas/runtime/kafka-env';

/** A Kafka cluster that topics and consumers are built against. */
export interface IKafkaCluster extends IConstruct {
  /** What kind of cluster this is. */
  readonly kind: ClusterKind;
  /** True for MSK Serverless, new or imported (its topic settings are restricted). */
  readonly serverless: boolean;
  /** The MSK cluster ARN (MSK kinds only). */
  readonly clusterArn?: string;
  /** The cluster name, used in topic and group ARNs (MSK). */
  readonly clusterName: string;
  /** Bootstrap servers (self-managed only). */
  readonly bootstrapServers?: string[];
  /** The VPC the brokers are reachable from. */
  readonly vpc: ec2.IVpc;
  /** Subnets functions are placed in. */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** The group functions attach; brokers accept the client port only from it. */
  readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** Broker count, to validate replication factors (serverless: 3). */
  readonly brokerCount: number;
  /** Kafka version, when known. */
  readonly kafkaVersion?: string;
  /** True when topics can be `AWS::MSK::Topic`; otherwise they are `Custom::KafkaTopic`. */
  readonly supportsTopicResource: boolean;
  /** Authentication for self-managed Kafka. */
  readonly selfManagedAuth?: SelfManagedAuth;
  /**
   * Environment the function runtime reads to connect (see docs/architecture.md). For MSK it holds
   * the brokers looked up at deploy time, so that no function needs the MSK API at run time.
   */
  connectionEnvironment(): Record<string, string>;
  /** ARN of a topic of this cluster, for IAM. */
  topicArn(topicName: string): string;
  /** ARN of a consumer group of this cluster, for IAM. */
  groupArn(groupId: string): string;
  /** Lets the grantee connect to the brokers (brokers are given, never discovered: no MSK API rights). */
  grantConnect(grantee: iam.IGrantable): iam.Grant;
  /**
   * This cluster as the stack of `scope` should use it: itself in its own stack; in another stack,
   * a reference that reads the cluster's attributes from SSM parameters (a new cluster) or its own
   * broker lookup (an existing one), so that no CloudFormation export ties the stacks together.
   */
  referenceFrom(scope: Construct): IKafkaCluster;
  /**
   * Makes `service` reachable from the functions' subnets: an interface endpoint in a VPC this
   * construct created; for a VPC given from outside, an info annotation saying the subnets need a
   * route to it (an endpoint or a NAT).
   */
  addServiceEndpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): void;
}

/** For a VPC this library did not create: say what it must provide. */
function requireRouteTo(scope: IConstruct, id: string): void {
  Annotations.of(scope).addInfo(`The functions' subnets must reach ${id} (an interface endpoint or a NAT gateway): the VPC was given, so no endpoint is added`);
}

/** Properties of a new MSK cluster. */
export interface KafkaClusterProps {
  /**
   * Provisioned brokers or MSK Serverless.
   * @default ClusterKind.PROVISIONED
   */
  readonly kind?: ClusterKind.PROVISIONED | ClusterKind.SERVERLESS;
  /**
   * The VPC to place the brokers in.
   * @default - a new two-AZ VPC with VPC endpoints (see KafkaVpc)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets for brokers and functions, when `vpc` is given.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * NAT gateways of the new VPC (ignored when `vpc` is given).
   * @default 0 - functions reach AWS APIs through the VPC's interface endpoints; a NAT gateway is
   * billed per hour and per GB
   */
  readonly natGateways?: number;
  /**
   * Kafka version of a provisioned cluster. Topics are `AWS::MSK::Topic` from 3.6 on.
   * @default '3.9.x'
   */
  readonly kafkaVersion?: string;
  /**
   * Broker nodes of a provisioned cluster: a multiple of the number of AZs (2).
   * @default 2 - the smallest provisioned cluster: one broker in each AZ of the two-AZ VPC
   */
  readonly brokerNodes?: number;
  /**
   * Broker instance type of a provisioned cluster.
   * @default 'kafka.t3.small' - the smallest broker type, for development; size it for production
   */
  readonly instanceType?: string;
  /**
   * EBS volume per broker, in GiB (1..16384).
   * @default 20
   */
  readonly ebsVolumeGiB?: number;
  /**
   * Customer managed key for encryption at rest (provisioned).
   * @default - an AWS managed key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of broker logs in CloudWatch Logs (provisioned).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the cluster and its log group when removed from the stack.
   * @default RemovalPolicy.RETAIN - the cluster holds every topic's records and every consumer
   * group's offsets, which a new cluster would not have
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Cluster name.
   * @default - unique, derived from the construct path
   */
  readonly clusterName?: string;
  /**
   * Prefix of the SSM parameters the cluster publishes its ARN, brokers, subnets and client
   * security group under, for the stacks that use it (`referenceFrom`).
   * @default `/msk-pipelines/<clusterName>`
   */
  readonly parameterPrefix?: string;
}

/** Attributes of an MSK cluster created elsewhere. */
export interface ExistingClusterAttributes {
  /** The cluster ARN. */
  readonly clusterArn: string;
  /** The VPC its brokers live in. */
  readonly vpc: ec2.IVpc;
  /** The security group the brokers accept IAM clients (port 9098) from; functions attach it. */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * Subnets functions are placed in.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Provisioned or serverless.
   * @default ClusterKind.PROVISIONED
   */
  readonly kind?: ClusterKind.PROVISIONED | ClusterKind.SERVERLESS;
  /**
   * Broker count (for replication-factor validation).
   * @default 3 (serverless: 3)
   */
  readonly brokerCount?: number;
  /**
   * Kafka version; from 3.6 on a provisioned cluster's topics are `AWS::MSK::Topic`.
   * @default - unknown: topics use the custom resource
   */
  readonly kafkaVersion?: string;
}

/** Properties of self-managed Kafka. */
export interface SelfManagedKafkaProps {
  /** `host:port` of the brokers. */
  readonly bootstrapServers: string[];
  /** The VPC the brokers are reachable from. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets functions are placed in.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The group functions attach.
   * @default - a new security group
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /** SASL/SCRAM or mutual TLS. */
  readonly authentication: SelfManagedAuth;
  /**
   * Broker count (for replication-factor validation).
   * @default 3
   */
  readonly brokerCount?: number;
}

/** Whether `AWS::MSK::Topic` supports this provisioned cluster's version (3.6 and later). */
export function versionSupportsTopicResource(version: string | undefined): boolean {
  if (!version) return false;
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 3 || (major === 3 && minor >= 6);
}

/** What every MSK cluster shares, new or existing: topic and group ARNs, `kafka-cluster:Connect`, references from other stacks. */
abstract class MskClusterBase extends Construct implements IKafkaCluster {
  public abstract readonly kind: ClusterKind;
  public abstract readonly clusterArn: string;
  public abstract readonly clusterName: string;
  public abstract readonly vpc: ec2.IVpc;
  public abstract readonly vpcSubnets: ec2.SubnetSelection;
  public abstract readonly clientSecurityGroup: ec2.ISecurityGroup;
  public abstract readonly brokerCount: number;
  public abstract readonly kafkaVersion?: string;
  public abstract readonly supportsTopicResource: boolean;
  public abstract readonly serverless: boolean;
  /** The cluster's SASL/IAM brokers, looked up at deploy time. */
  public abstract readonly saslIamBrokers: string;
  private readonly references = new Map<Stack, IKafkaCluster>();

  public addServiceEndpoint(id: string, _service: ec2.InterfaceVpcEndpointAwsService): void {
    requireRouteTo(this, id);
  }

  public connectionEnvironment(): Record<string, string> {
    return {
      [KafkaEnv.KAFKA_CLUSTER_ARN]: this.clusterArn,
      [KafkaEnv.KAFKA_BOOTSTRAP_SERVERS]: this.saslIamBrokers,
      [KafkaEnv.KAFKA_AUTH]: 'iam',
    };
  }

  public referenceFrom(scope: Construct): IKafkaCluster {
    const stack = Stack.of(scope);
    if (stack === Stack.of(this)) return this;
    let reference = this.references.get(stack);
    if (!reference) {
      reference = this.createReference(stack, `KafkaClusterReference${Names.nodeUniqueId(this.node)}`);
      this.references.set(stack, reference);
    }
    return reference;
  }

  /** The cluster as another stack sees it. */
  protected abstract createReference(stack: Stack, id: string): IKafkaCluster;

  public topicArn(topicName: string): string {
    return mskResourceArn(this.clusterArn, 'topic', topicName);
  }

  public groupArn(groupId: string): string {
    return mskResourceArn(this.clusterArn, 'group', groupId);
  }

  /**
   * `kafka-cluster:Connect` only: a producer or admin client with IAM auth needs nothing else on the
   * cluster, and brokers come from KAFKA_BOOTSTRAP_SERVERS, so no `kafka:*` control-plane action.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
   */
  public grantConnect(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['kafka-cluster:Connect'], resourceArns: [this.clusterArn] });
  }
}

/**
 * Amazon MSK for event pipelines: a new provisioned cluster (IAM auth only, TLS
 * everywhere, encryption at rest, broker logs) or MSK Serverless, in private subnets;
 * or, through the static methods, an existing MSK cluster or self-managed Kafka.
 */
export class KafkaCluster extends MskClusterBase {
  /**
   * An MSK cluster created elsewhere, by its ARN and network (functions attach to its VPC and
   * client security group, so an ARN alone does not make a usable cluster).
   */
  public static fromClusterAttributes(scope: Construct, id: string, attrs: ExistingClusterAttributes): IKafkaCluster {
    return new ExistingKafkaCluster(scope, id, attrs);
  }

  /**
   * An MSK cluster created elsewhere.
   * @deprecated `fromClusterArn` takes an attributes object, against CDK's naming: use
   * `KafkaCluster.fromClusterAttributes`. There is no one-string form, since a cluster's functions
   * need its VPC and security group.
   */
  public static fromClusterArn(scope: Construct, id: string, attrs: ExistingClusterAttributes): IKafkaCluster {
    return KafkaCluster.fromClusterAttributes(scope, id, attrs);
  }

  /** Self-managed Kafka reached by bootstrap servers. */
  public static selfManaged(scope: Construct, id: string, props: SelfManagedKafkaProps): IKafkaCluster {
    return new SelfManagedKafkaCluster(scope, id, props);
  }

  /** PROVISIONED or SERVERLESS. */
  public readonly kind: ClusterKind;
  /** The cluster's ARN. */
  public readonly clusterArn: string;
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The VPC of the brokers and the functions. */
  public readonly vpc: ec2.IVpc;
  /** The subnets functions are placed in. */
  public readonly vpcSubnets: ec2.SubnetSelection;
  /** The group Kafka clients (functions, mappings) attach to. */
  public readonly clientSecurityGroup: ec2.ISecurityGroup;
  /** The brokers' security group: IAM port open to `clientSecurityGroup` only. */
  public readonly brokerSecurityGroup: ec2.SecurityGroup;
  /** Broker count, the upper bound of a topic's replication factor. */
  public readonly brokerCount: number;
  /** Kafka version (provisioned). */
  public readonly kafkaVersion?: string;
  /** Whether topics can be `AWS::MSK::Topic` (provisioned, Kafka 3.6+). */
  public readonly supportsTopicResource: boolean;
  /** The provisioned cluster, when kind is PROVISIONED. */
  public readonly cfnCluster?: CfnCluster;
  /** The serverless cluster, when kind is SERVERLESS. */
  public readonly serverlessCluster?: CfnServerlessCluster;
  /** Broker log group (provisioned). */
  public readonly brokerLogGroup?: logs.LogGroup;
  /** Whether the cluster is MSK Serverless. */
  public readonly serverless: boolean;
  /** The VPC this construct created, when no `vpc` was given. */
  public readonly network?: KafkaVpc;
  /** The deploy-time broker lookup. */
  public readonly brokerLookup: BootstrapBrokersLookup;
  /** The SASL/IAM bootstrap brokers, resolved at deploy time. */
  public readonly saslIamBrokers: string;
  /** Where the cluster's attributes are published for other stacks (SSM parameter names start with it). */
  public readonly parameterPrefix: string;

  public override addServiceEndpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): void {
    if (this.network) this.network.addServiceEndpoint(id, service);
    else super.addServiceEndpoint(id, service);
  }

  constructor(scope: Construct, id: string, props: KafkaClusterProps = {}) {
    super(scope, id);
    this.kind = props.kind ?? ClusterKind.PROVISIONED;
    if (this.kind !== ClusterKind.PROVISIONED && this.kind !== ClusterKind.SERVERLESS) {
      throw new ValidationError(this, `kind must be ClusterKind.PROVISIONED or ClusterKind.SERVERLESS for a new cluster, got '${this.kind}'`);
    }
    const serverless = this.kind === ClusterKind.SERVERLESS;
    this.serverless = serverless;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    let network: KafkaVpc | undefined;
    if (props.vpc) {
      this.vpc = props.vpc;
      this.vpcSubnets = props.vpcSubnets ?? {};
    } else {
      network = new KafkaVpc(this, 'Network', { natGateways: props.natGateways });
      this.vpc = network.vpc;
      this.vpcSubnets = network.subnets;
    }
    this.network = network;
    const subnetIds = this.vpc.selectSubnets(this.vpcSubnets).subnetIds;

    this.clientSecurityGroup = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Kafka clients (functions, event source mappings)',
      allowAllOutbound: true,
    });
    this.brokerSecurityGroup = new ec2.SecurityGroup(this, 'BrokerSecurityGroup', {
      vpc: this.vpc,
      description: 'Kafka brokers: SASL/IAM over TLS from Kafka clients only',
      allowAllOutbound: false,
    });
    this.brokerSecurityGroup.addIngressRule(this.clientSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Kafka clients, IAM auth over TLS');
    // Lambda's MSK pollers run with the cluster's own security group: they reach the brokers
    // through a self-referencing rule and the STS/Lambda endpoints over HTTPS.
    this.brokerSecurityGroup.addIngressRule(this.brokerSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Lambda event pollers');
    this.brokerSecurityGroup.addEgressRule(this.brokerSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Lambda event pollers to brokers');
    if (network) {
      this.brokerSecurityGroup.addEgressRule(network.endpointSecurityGroup, ec2.Port.tcp(443), 'Lambda event pollers to VPC endpoints');
      network.allowHttpsFrom(this.brokerSecurityGroup, 'Lambda event pollers');
      network.allowHttpsFrom(this.clientSecurityGroup, 'Kafka client functions');
    } else {
      this.brokerSecurityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), ec2.Port.tcp(443), 'Lambda event pollers to VPC endpoints');
    }

    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).replace(/[^a-zA-Z0-9-]/g, '');
    // @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-msk-cluster.html#cfn-msk-cluster-clustername
    validatePattern(this, 'clusterName', this.clusterName, /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/, '1-64 characters [a-zA-Z0-9-] starting with a letter');

    if (serverless) {
      for (const [prop, value] of Object.entries({ kafkaVersion: props.kafkaVersion, brokerNodes: props.brokerNodes, instanceType: props.instanceType, ebsVolumeGiB: props.ebsVolumeGiB, encryptionKey: props.encryptionKey })) {
        if (value !== undefined) throw new ValidationError(this, `${prop} applies to provisioned clusters only; MSK Serverless manages it (kind: SERVERLESS)`);
      }
      this.brokerCount = SERVERLESS_REPLICAS;
      this.supportsTopicResource = false;
      this.serverlessCluster = new CfnServerlessCluster(this, 'Resource', {
        clusterName: this.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [this.brokerSecurityGroup.securityGroupId] }],
      });
      this.serverlessCluster.applyRemovalPolicy(removalPolicy);
      this.clusterArn = this.serverlessCluster.attrArn;
      this.brokerLookup = new BootstrapBrokersLookup(this, 'Brokers', { clusterArn: this.clusterArn });
      this.saslIamBrokers = this.brokerLookup.saslIamBrokers;
      this.parameterPrefix = this.publish(props.parameterPrefix);
      return;
    }

    this.kafkaVersion = props.kafkaVersion ?? DEFAULT_KAFKA_VERSION;
    this.supportsTopicResource = versionSupportsTopicResource(this.kafkaVersion);
    const azCount = Math.max(1, this.vpc.availabilityZones.length);
    this.brokerCount = props.brokerNodes ?? 2;
    // Topics' replication factors are checked against the broker count at synth time.
    validateLiteral(this, 'brokerNodes', this.brokerCount, 'topics check their replication factor against it');
    validate(this, Number.isInteger(this.brokerCount) && this.brokerCount >= 2 && this.brokerCount % Math.min(azCount, subnetIds.length || azCount) === 0,
      `brokerNodes must be a multiple of the number of client subnets (${subnetIds.length || azCount}) and at least 2, got ${this.brokerCount}`);
    const volume = props.ebsVolumeGiB ?? 20;
    // @see https://docs.aws.amazon.com/msk/latest/developerguide/limits.html
    validateInteger(this, 'ebsVolumeGiB', volume, 1, 16_384);

    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    this.cfnCluster = new CfnCluster(this, 'Resource', {
      clusterName: this.clusterName,
      kafkaVersion: this.kafkaVersion,
      numberOfBrokerNodes: this.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: props.instanceType ?? 'kafka.t3.small',
        clientSubnets: subnetIds,
        securityGroups: [this.brokerSecurityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: volume } },
      },
      clientAuthentication: {
        sasl: { iam: { enabled: true }, scram: { enabled: false } },
        unauthenticated: { enabled: false },
      },
      encryptionInfo: {
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
        encryptionAtRest: props.encryptionKey ? { dataVolumeKmsKeyId: props.encryptionKey.keyArn } : undefined,
      },
      loggingInfo: {
        brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName } },
      },
    });
    this.cfnCluster.applyRemovalPolicy(removalPolicy);
    this.clusterArn = this.cfnCluster.attrArn;
    this.brokerLookup = new BootstrapBrokersLookup(this, 'Brokers', { clusterArn: this.clusterArn });
    this.saslIamBrokers = this.brokerLookup.saslIamBrokers;
    this.parameterPrefix = this.publish(props.parameterPrefix);
  }

  private publish(prefix: string | undefined): string {
    const parameterPrefix = prefix ?? defaultParameterPrefix(this.clusterName);
    publishClusterAttributes(this, parameterPrefix, {
      clusterArn: this.clusterArn,
      saslIamBrokers: this.saslIamBrokers,
      clientSecurityGroupId: this.clientSecurityGroup.securityGroupId,
      subnetIds: this.vpc.selectSubnets(this.vpcSubnets).subnetIds,
      vpcId: this.vpc.vpcId,
    });
    return parameterPrefix;
  }

  protected createReference(stack: Stack, id: string): IKafkaCluster {
    return new ClusterReference(stack, id, this);
  }
}

/** An MSK cluster created elsewhere (`KafkaCluster.fromClusterAttributes`): its brokers are looked up at deploy time. */
class ExistingKafkaCluster extends MskClusterBase {
  public readonly kind = ClusterKind.EXISTING;
  public readonly serverless: boolean;
  public readonly clusterArn: string;
  public readonly clusterName: string;
  public readonly vpc: ec2.IVpc;
  public readonly vpcSubnets: ec2.SubnetSelection;
  public readonly clientSecurityGroup: ec2.ISecurityGroup;
  public readonly brokerCount: number;
  public readonly kafkaVersion?: string;
  public readonly supportsTopicResource: boolean;
  /** The deploy-time broker lookup (one per stack that uses the cluster). */
  public readonly brokerLookup: BootstrapBrokersLookup;
  public readonly saslIamBrokers: string;

  constructor(scope: Construct, id: string, private readonly attrs: ExistingClusterAttributes) {
    super(scope, id);
    this.clusterArn = attrs.clusterArn;
    this.clusterName = clusterNameFromArn(attrs.clusterArn) ?? id;
    this.vpc = attrs.vpc;
    this.vpcSubnets = attrs.vpcSubnets ?? {};
    this.clientSecurityGroup = attrs.securityGroup;
    const serverless = attrs.kind === ClusterKind.SERVERLESS;
    this.serverless = serverless;
    this.brokerCount = serverless ? SERVERLESS_REPLICAS : attrs.brokerCount ?? 3;
    validateLiteral(this, 'brokerCount', this.brokerCount, 'topics check their replication factor against it');
    validateNumber(this, 'brokerCount', this.brokerCount, { min: 1, words: 'a positive integer' });
    this.kafkaVersion = attrs.kafkaVersion;
    this.supportsTopicResource = !serverless && versionSupportsTopicResource(attrs.kafkaVersion);
    this.brokerLookup = new BootstrapBrokersLookup(this, 'Brokers', { clusterArn: this.clusterArn });
    this.saslIamBrokers = this.brokerLookup.saslIamBrokers;
  }

  /** Another stack imports the same cluster by its literal attributes, with a broker lookup of its own. */
  protected createReference(stack: Stack, id: string): IKafkaCluster {
    return new ExistingKafkaCluster(stack, id, this.attrs);
  }
}

/**
 * A new cluster as a stack other than its own uses it: attributes read from the SSM parameters the
 * cluster published, so that replacing the cluster updates the parameters and the next deployment
 * of this stack reads the new values, instead of an export blocking the replacement.
 */
class ClusterReference extends MskClusterBase {
  public readonly kind: ClusterKind;
  public readonly serverless: boolean;
  public readonly clusterArn: string;
  public readonly clusterName: string;
  public readonly vpc: ec2.IVpc;
  public readonly vpcSubnets: ec2.SubnetSelection;
  public readonly clientSecurityGroup: ec2.ISecurityGroup;
  public readonly brokerCount: number;
  public readonly kafkaVersion?: string;
  public readonly supportsTopicResource: boolean;
  public readonly saslIamBrokers: string;

  constructor(scope: Construct, id: string, private readonly source: KafkaCluster) {
    super(scope, id);
    const subnets = source.vpc.selectSubnets(source.vpcSubnets);
    const attrs = readClusterAttributes(this, source.parameterPrefix, subnets.subnetIds.length);
    this.kind = source.kind;
    this.serverless = source.serverless;
    this.clusterArn = attrs.clusterArn;
    this.clusterName = source.clusterName;
    this.saslIamBrokers = attrs.saslIamBrokers;
    this.vpc = vpcFromAttributes(this, attrs, subnets.availabilityZones);
    Annotations.of(this.vpc).acknowledgeWarning('@aws-cdk/aws-ec2:noSubnetRouteTableId', 'Functions only attach to these subnets; nothing is added to their route tables');
    this.vpcSubnets = { subnets: this.vpc.privateSubnets };
    this.clientSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'ClientSecurityGroup', attrs.clientSecurityGroupId);
    this.brokerCount = source.brokerCount;
    this.kafkaVersion = source.kafkaVersion;
    this.supportsTopicResource = source.supportsTopicResource;
  }

  public override addServiceEndpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): void {
    this.source.addServiceEndpoint(id, service);
  }

  public override referenceFrom(scope: Construct): IKafkaCluster {
    return this.source.referenceFrom(scope);
  }

  protected createReference(): IKafkaCluster {
    throw new Error('unreachable: a cluster reference delegates referenceFrom to its source');
  }
}

/** Kafka outside MSK (`KafkaCluster.selfManaged`): bootstrap servers, SASL/SCRAM or mTLS, no IAM access control. */
class SelfManagedKafkaCluster extends Construct implements IKafkaCluster {
  public readonly kind = ClusterKind.SELF_MANAGED;
  public readonly clusterName: string;
  public readonly bootstrapServers: string[];
  public readonly vpc: ec2.IVpc;
  public readonly vpcSubnets: ec2.SubnetSelection;
  public readonly clientSecurityGroup: ec2.ISecurityGroup;
  public readonly brokerCount: number;
  public readonly supportsTopicResource = false;
  public readonly serverless = false;
  public readonly selfManagedAuth: SelfManagedAuth;

  constructor(scope: Construct, id: string, props: SelfManagedKafkaProps) {
    super(scope, id);
    validate(this, props.bootstrapServers.length > 0, 'bootstrapServers must name at least one host:port, got []');
    for (const server of props.bootstrapServers) {
      validatePattern(this, 'bootstrapServers entries', server, /^[^\s:,]+:\d{1,5}$/, 'host:port');
    }
    this.bootstrapServers = props.bootstrapServers;
    this.clusterName = id;
    this.vpc = props.vpc;
    this.vpcSubnets = props.vpcSubnets ?? {};
    this.clientSecurityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc: props.vpc,
      description: 'Kafka clients (functions, event source mappings)',
      allowAllOutbound: true,
    });
    this.brokerCount = props.brokerCount ?? 3;
    this.selfManagedAuth = props.authentication;
  }

  public connectionEnvironment(): Record<string, string> {
    return {
      [KafkaEnv.KAFKA_BOOTSTRAP_SERVERS]: this.bootstrapServers.join(','),
      [KafkaEnv.KAFKA_AUTH]: this.selfManagedAuth.mechanism,
      [KafkaEnv.KAFKA_SECRET_ARN]: this.selfManagedAuth.secret.secretArn,
    };
  }

  /** Self-managed Kafka has no IAM resources; ACLs live in the cluster. Returns a pseudo ARN for naming. */
  public topicArn(topicName: string): string {
    return `arn:${Stack.of(this).partition}:kafka:::topic/${this.clusterName}/${topicName}`;
  }

  public groupArn(groupId: string): string {
    return `arn:${Stack.of(this).partition}:kafka:::group/${this.clusterName}/${groupId}`;
  }

  public addServiceEndpoint(id: string, _service: ec2.InterfaceVpcEndpointAwsService): void {
    requireRouteTo(this, id);
  }

  /** Bootstrap servers and the secret are literal: every stack can use this object as it is. */
  public referenceFrom(_scope: Construct): IKafkaCluster {
    return this;
  }

  public grantConnect(grantee: iam.IGrantable): iam.Grant {
    const grant = this.selfManagedAuth.secret.grantRead(grantee);
    this.selfManagedAuth.rootCa?.grantRead(grantee);
    return grant;
  }
}
