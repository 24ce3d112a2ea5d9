import * as iam from 'aws-cdk-lib/aws-iam';
import { ClusterKind, IKafkaCluster } from '../cluster';

/**
 * IAM for writing one topic with the idempotent producer of the runtime: connect, idempotent writes
 * on the cluster, describe and write on the topic. Self-managed Kafka authorizes with ACLs instead.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 */
export function grantTopicProduce(cluster: IKafkaCluster, topicArn: string, grantee: iam.IGrantable): iam.Grant {
  cluster.grantConnect(grantee);
  if (cluster.kind === ClusterKind.SELF_MANAGED) return iam.Grant.drop(grantee, 'self-managed Kafka authorizes with ACLs');
  iam.Grant.addToPrincipal({ grantee, actions: ['kafka-cluster:WriteDataIdempotently'], resourceArns: [cluster.clusterArn!] });
  return iam.Grant.addToPrincipal({ grantee, actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resourceArns: [topicArn] });
}

/**
 * IAM for reading one topic as consumer group `groupId` through a Lambda event source mapping: the
 * poller connects, reads the cluster's dynamic configuration, uses the group and reads the topic.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
 */
export function grantTopicConsume(cluster: IKafkaCluster, topicArn: string, grantee: iam.IGrantable, groupId: string): iam.Grant {
  cluster.grantConnect(grantee);
  if (cluster.kind === ClusterKind.SELF_MANAGED) return iam.Grant.drop(grantee, 'self-managed Kafka authorizes with ACLs');
  iam.Grant.addToPrincipal({ grantee, actions: ['kafka-cluster:DescribeClusterDynamicConfiguration'], resourceArns: [cluster.clusterArn!] });
  iam.Grant.addToPrincipal({ grantee, actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resourceArns: [cluster.groupArn(groupId)] });
  return iam.Grant.addToPrincipal({ grantee, actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resourceArns: [topicArn] });
}
