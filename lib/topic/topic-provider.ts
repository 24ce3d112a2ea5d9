import { CfnResource, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ClusterKind, IKafkaCluster } from '../cluster';
import { acknowledgeCdkProviderFunction, acknowledgeFunctionFindings } from '../function/acknowledge';
import { createFunction, lambdaEntry } from '../function/project-function';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** CloudFormation type of the topic custom resource (read by the emulator). */
export const KAFKA_TOPIC_RESOURCE_TYPE = 'Custom::KafkaTopic';

/**
 * The custom-resource provider that manages topics of one cluster with the Kafka admin API.
 * One per cluster and stack; each topic adds its own ARN to the provider's permissions.
 */
export class KafkaTopicProvider extends Construct {
  /** The provider of `cluster` in the stack of `scope`, created on first use. */
  public static of(scope: Construct, cluster: IKafkaCluster): KafkaTopicProvider {
    const stack = Stack.of(scope);
    const id = `KafkaTopicProvider${Names.nodeUniqueId(cluster.node)}`;
    return (stack.node.tryFindChild(id) as KafkaTopicProvider | undefined) ?? new KafkaTopicProvider(stack, id, cluster);
  }

  /** The function calling the Kafka admin API (in the cluster's VPC). */
  public readonly handler: NodejsFunction;
  /** The provider framework. */
  public readonly provider: cr.Provider;
  private readonly cluster: IKafkaCluster;

  private constructor(scope: Construct, id: string, cluster: IKafkaCluster) {
    super(scope, id);
    this.cluster = cluster;
    this.handler = createFunction(this, 'Handler', {
      entry: lambdaEntry('functions/topic-provider'),
      description: `Creates, updates and deletes Kafka topics of ${cluster.clusterName}`,
      timeout: Duration.minutes(2),
      vpc: cluster.vpc,
      vpcSubnets: cluster.vpcSubnets,
      securityGroups: [cluster.clientSecurityGroup],
      environment: { ...cluster.connectionEnvironment(), [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: 'kafka-topic-provider' },
    });
    cluster.grantConnect(this.handler);
    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logs.RetentionDays.ONE_MONTH }),
    });

    acknowledgeFunctionFindings(this.handler, 'CloudFormation through the provider framework');
    acknowledgeCdkProviderFunction(this.provider, 'The provider framework function (topic handler relay)');
    const handlerId = Stack.of(this).getLogicalId(this.handler.node.defaultChild as CfnResource);
    Validations.of(this.provider).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`, reason: 'The provider framework may invoke only the topic handler, in any of its versions' });
  }

  /** Lets the handler create, alter and delete `topicName`. */
  public grantManage(topicName: string): void {
    if (this.cluster.kind === ClusterKind.SELF_MANAGED) return; // ACLs live in the cluster
    this.handler.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:AlterTopic', 'kafka-cluster:DeleteTopic',
        'kafka-cluster:DescribeTopicDynamicConfiguration', 'kafka-cluster:AlterTopicDynamicConfiguration',
      ],
      resources: [this.cluster.topicArn(topicName)],
    }));
  }
}
