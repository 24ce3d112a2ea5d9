import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import { CfnTopic } from 'aws-cdk-lib/aws-msk';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { IKafkaCluster } from '../cluster';
import { SERVERLESS_REPLICAS } from '../cluster/cluster-kind';
import { IKafkaTopic, KafkaTopicBase } from './topic-base';
import { KAFKA_TOPIC_RESOURCE_TYPE, KafkaTopicProvider } from './topic-provider';
import { validateTopicName, validateTopicSettings } from './validation';

/** Properties of a Kafka topic. */
export interface KafkaTopicProps {
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /** Topic name: 1..249 characters of [a-zA-Z0-9._-], not '.' or '..'. */
  readonly topicName: string;
  /**
   * Partitions; can grow later, never shrink.
   * @default 3
   */
  readonly partitions?: number;
  /**
   * Replication factor; at most the cluster's broker count (fixed at 3 on MSK Serverless).
   * @default min(3, brokerCount)
   */
  readonly replicationFactor?: number;
  /**
   * Topic-level configs, e.g. `{ 'retention.ms': '604800000' }`.
   * @default {}
   */
  readonly configs?: Record<string, string>;
  /**
   * What happens to the topic (and its data) when it is removed from the stack.
   * @default RemovalPolicy.RETAIN - a topic's records cannot be recreated, and consumers'
   * committed offsets would point nowhere
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What a topic created elsewhere is referenced by: only names, so nothing is exported across stacks for it. */
export interface KafkaTopicAttributes {
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /** The topic's name, created by another stack (or outside CDK). */
  readonly topicName: string;
  /**
   * Partitions of the topic; dead-letter topics created for its consumers get as many.
   * @default 3 - KafkaTopic's default
   */
  readonly partitions?: number;
  /**
   * Replication factor of the topic; dead-letter topics created for its consumers get the same.
   * @default min(3, the cluster's broker count) - KafkaTopic's default
   */
  readonly replicationFactor?: number;
}

/**
 * A Kafka topic: `AWS::MSK::Topic` on provisioned clusters that support it (Kafka 3.6+),
 * otherwise the `Custom::KafkaTopic` custom resource that uses the Kafka admin API.
 */
export class KafkaTopic extends KafkaTopicBase {
  /**
   * A topic created elsewhere (another stack, or outside CDK), referenced by name. It creates no
   * resource; grants are built from the cluster and the name alone. Deploy the owner first.
   */
  public static fromTopicAttributes(scope: Construct, id: string, attrs: KafkaTopicAttributes): IKafkaTopic {
    return new ImportedKafkaTopic(scope, id, attrs);
  }

  /** The topic's name. */
  public readonly topicName: string;
  /** The topic's IAM resource ARN, what grants name. */
  public readonly topicArn: string;
  /** The cluster the topic lives in. */
  public readonly cluster: IKafkaCluster;
  /** Partitions of the topic. */
  public readonly partitions: number;
  /** Replication factor of the topic. */
  public readonly replicationFactor: number;
  /** The underlying CloudFormation resource. */
  public readonly resource: CfnTopic | CustomResource;

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    const { cluster } = props;
    validateTopicName(this, props.topicName);
    this.topicName = props.topicName;
    this.cluster = cluster;
    this.partitions = props.partitions ?? 3;
    this.replicationFactor = props.replicationFactor ?? Math.min(SERVERLESS_REPLICAS, cluster.brokerCount);
    const configs = props.configs ?? {};
    validateTopicSettings(this, {
      partitions: this.partitions,
      replicationFactor: this.replicationFactor,
      brokerCount: cluster.brokerCount,
      serverless: cluster.serverless,
      configs,
    });
    this.topicArn = cluster.topicArn(this.topicName);

    if (cluster.supportsTopicResource && cluster.clusterArn) {
      this.resource = new CfnTopic(this, 'Resource', {
        clusterArn: cluster.clusterArn,
        topicName: this.topicName,
        partitionCount: this.partitions,
        replicationFactor: this.replicationFactor,
        // MSK takes topic configs as a Base64-encoded JSON object.
        configs: Object.keys(configs).length > 0 ? Buffer.from(JSON.stringify(configs)).toString('base64') : undefined,
      });
    } else {
      const provider = KafkaTopicProvider.of(this, cluster);
      provider.grantManage(this.topicName);
      this.resource = new CustomResource(this, 'Resource', {
        serviceToken: provider.provider.serviceToken,
        resourceType: KAFKA_TOPIC_RESOURCE_TYPE,
        properties: {
          TopicName: this.topicName,
          NumPartitions: this.partitions,
          ReplicationFactor: this.replicationFactor,
          Configs: configs,
        },
      });
    }
    this.resource.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.RETAIN);
  }
}

/** A topic referenced by name (`KafkaTopic.fromTopicAttributes`). */
class ImportedKafkaTopic extends KafkaTopicBase {
  /** The topic's name. */
  public readonly topicName: string;
  /** The topic's IAM resource ARN, what grants name. */
  public readonly topicArn: string;
  /** The cluster the topic lives in. */
  public readonly cluster: IKafkaCluster;
  /** Partitions of the topic. */
  public readonly partitions: number;
  /** Replication factor of the topic. */
  public readonly replicationFactor: number;
  /** Nothing in this stack: the topic is created by another (deploy it first). */
  public readonly resource: IDependable = new DependencyGroup();

  constructor(scope: Construct, id: string, attrs: KafkaTopicAttributes) {
    super(scope, id);
    validateTopicName(this, attrs.topicName);
    this.topicName = attrs.topicName;
    this.cluster = attrs.cluster;
    this.topicArn = attrs.cluster.topicArn(attrs.topicName);
    this.partitions = attrs.partitions ?? 3;
    this.replicationFactor = attrs.replicationFactor ?? Math.min(SERVERLESS_REPLICAS, attrs.cluster.brokerCount);
  }
}
