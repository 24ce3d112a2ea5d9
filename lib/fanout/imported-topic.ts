import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { IKafkaCluster, SERVERLESS_REPLICAS } from '../cluster';
import { grantTopicConsume, grantTopicProduce, validateTopicName } from '../topic';

/** What an imported topic is built from: only names, so nothing is exported across stacks for it. */
export interface ImportedTopicAttributes {
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /** The topic's name, created by another stack (or outside CDK). */
  readonly topicName: string;
  /**
   * Partitions of the topic; dead-letter topics created for its consumers get as many.
   * @default 3
   */
  readonly partitions?: number;
  /**
   * Replication factor of the topic; dead-letter topics created for its consumers get the same.
   * @default min(3, the cluster's broker count)
   */
  readonly replicationFactor?: number;
}

/**
 * A topic created elsewhere, referenced by name: the consumer side of a fan-out. It creates no
 * resource; grants are built from the cluster and the name alone, the same as KafkaTopic's.
 */
export class ImportedKafkaTopic extends Construct {
  public readonly topicName: string;
  public readonly topicArn: string;
  public readonly cluster: IKafkaCluster;
  public readonly partitions: number;
  public readonly replicationFactor: number;
  /**
   * What a mapping on this topic waits for: nothing in this stack, the topic is created by
   * another (deploy it first).
   */
  public readonly resource: IDependable = new DependencyGroup();

  constructor(scope: Construct, id: string, attrs: ImportedTopicAttributes) {
    super(scope, id);
    validateTopicName(this, attrs.topicName);
    this.topicName = attrs.topicName;
    this.cluster = attrs.cluster;
    this.topicArn = attrs.cluster.topicArn(attrs.topicName);
    this.partitions = attrs.partitions ?? 3;
    this.replicationFactor = attrs.replicationFactor ?? Math.min(SERVERLESS_REPLICAS, attrs.cluster.brokerCount);
  }

  /** Lets the grantee write records to the topic. */
  public grantProduce(grantee: iam.IGrantable): iam.Grant {
    return grantTopicProduce(this.cluster, this.topicArn, grantee);
  }

  /** Lets the grantee read the topic as consumer group `groupId`. */
  public grantConsume(grantee: iam.IGrantable, groupId: string): iam.Grant {
    return grantTopicConsume(this.cluster, this.topicArn, grantee, groupId);
  }
}
