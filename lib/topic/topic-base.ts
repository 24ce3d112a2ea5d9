import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct, IDependable } from 'constructs';
import type { IKafkaCluster } from '../cluster';
import { grantTopicConsume, grantTopicProduce } from './grants';

/** A Kafka topic, created in this app (`KafkaTopic`) or elsewhere (`KafkaTopic.fromTopicAttributes`). */
export interface IKafkaTopic extends IConstruct {
  /** The topic's name. */
  readonly topicName: string;
  /** The topic's IAM resource ARN (`arn:…:topic/<cluster>/<uuid>/<topic>`), what grants name. */
  readonly topicArn: string;
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /** Partitions of the topic; dead-letter topics created for its consumers get as many. */
  readonly partitions: number;
  /** Replication factor of the topic; dead-letter topics created for its consumers get the same. */
  readonly replicationFactor: number;
  /** What an event source mapping on the topic must wait for (the topic's resource, or nothing for an import). */
  readonly resource: IDependable;
  /** Lets the grantee write records to the topic. */
  grantProduce(grantee: iam.IGrantable): iam.Grant;
  /** Lets the grantee read the topic as consumer group `groupId`. */
  grantConsume(grantee: iam.IGrantable, groupId: string): iam.Grant;
}

/** What owners and importers of a topic share: the grants, built from the cluster and the topic ARN alone. */
export abstract class KafkaTopicBase extends Construct implements IKafkaTopic {
  public abstract readonly topicName: string;
  public abstract readonly topicArn: string;
  public abstract readonly cluster: IKafkaCluster;
  public abstract readonly partitions: number;
  public abstract readonly replicationFactor: number;
  public abstract readonly resource: IDependable;

  public grantProduce(grantee: iam.IGrantable): iam.Grant {
    return grantTopicProduce(this.cluster, this.topicArn, grantee);
  }

  public grantConsume(grantee: iam.IGrantable, groupId: string): iam.Grant {
    return grantTopicConsume(this.cluster, this.topicArn, grantee, groupId);
  }
}
