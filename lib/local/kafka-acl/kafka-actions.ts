/**
 * MSK IAM access control's `kafka-cluster:*` actions and the Kafka ACL each one is equivalent to,
 * as AWS's table gives them (every action also requires `kafka-cluster:Connect` on the cluster).
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
 * @see https://kafka.apache.org/documentation/#operations_resources_and_protocols
 */

/** The Kafka resource types an MSK IAM resource ARN names. */
export type KafkaResourceKind = 'cluster' | 'topic' | 'group' | 'transactional-id';

/** Kafka ACL operations the actions map to (kafkajs `AclOperationTypes` names). */
export type KafkaOperation = 'READ' | 'WRITE' | 'CREATE' | 'DELETE' | 'ALTER' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'ALTER_CONFIGS' | 'IDEMPOTENT_WRITE';

/** One row of AWS's table: the IAM action, the resource type its ARN names, the Kafka operation. */
export interface KafkaClusterAction {
  readonly action: string;
  readonly resource: KafkaResourceKind;
  readonly operation: KafkaOperation;
}

/** The action every other one requires; it has no Kafka ACL (it is the right to authenticate). */
export const CONNECT_ACTION = 'kafka-cluster:Connect';

export const KAFKA_CLUSTER_ACTIONS: readonly KafkaClusterAction[] = [
  { action: 'kafka-cluster:DescribeCluster', resource: 'cluster', operation: 'DESCRIBE' },
  { action: 'kafka-cluster:AlterCluster', resource: 'cluster', operation: 'ALTER' },
  { action: 'kafka-cluster:DescribeClusterDynamicConfiguration', resource: 'cluster', operation: 'DESCRIBE_CONFIGS' },
  { action: 'kafka-cluster:AlterClusterDynamicConfiguration', resource: 'cluster', operation: 'ALTER_CONFIGS' },
  { action: 'kafka-cluster:WriteDataIdempotently', resource: 'cluster', operation: 'IDEMPOTENT_WRITE' },
  { action: 'kafka-cluster:CreateTopic', resource: 'topic', operation: 'CREATE' },
  { action: 'kafka-cluster:DescribeTopic', resource: 'topic', operation: 'DESCRIBE' },
  { action: 'kafka-cluster:AlterTopic', resource: 'topic', operation: 'ALTER' },
  { action: 'kafka-cluster:DeleteTopic', resource: 'topic', operation: 'DELETE' },
  { action: 'kafka-cluster:DescribeTopicDynamicConfiguration', resource: 'topic', operation: 'DESCRIBE_CONFIGS' },
  { action: 'kafka-cluster:AlterTopicDynamicConfiguration', resource: 'topic', operation: 'ALTER_CONFIGS' },
  { action: 'kafka-cluster:ReadData', resource: 'topic', operation: 'READ' },
  { action: 'kafka-cluster:WriteData', resource: 'topic', operation: 'WRITE' },
  { action: 'kafka-cluster:DescribeGroup', resource: 'group', operation: 'DESCRIBE' },
  { action: 'kafka-cluster:AlterGroup', resource: 'group', operation: 'READ' },
  { action: 'kafka-cluster:DeleteGroup', resource: 'group', operation: 'DELETE' },
  { action: 'kafka-cluster:DescribeTransactionalId', resource: 'transactional-id', operation: 'DESCRIBE' },
  { action: 'kafka-cluster:AlterTransactionalId', resource: 'transactional-id', operation: 'WRITE' },
];

/**
 * The ARN of a topic, group or transactional id of the cluster `clusterArn`
 * (`arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`): `…:<kind>/<name>/<uuid>/<resource>`.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html#msk-iam-resources
 */
export function mskDataPlaneArn(clusterArn: string, kind: Exclude<KafkaResourceKind, 'cluster'>, name: string): string {
  const match = /^(arn:[^:]+:kafka:[^:]*:[^:]*:)cluster\/([^/]+\/[^/]+)$/.exec(clusterArn);
  if (!match) throw new Error(`mskDataPlaneArn: ${JSON.stringify(clusterArn)} is not an MSK cluster ARN (arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>)`);
  return `${match[1]}${kind}/${match[2]}/${name}`;
}
