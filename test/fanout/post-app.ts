import { App, Environment, Stack } from 'aws-cdk-lib';
import { IKafkaCluster, KafkaCluster } from '../../lib/cluster';
import { lambdaEntry } from '../../lib/function/project-function';
import { PostConsumersStack, PostConsumersStackProps } from '../../lib/examples/post-consumers-stack';
import { PostPublisherStack } from '../../lib/examples/post-publisher-stack';

export const ENV = { account: '111111111111', region: 'eu-west-1' };

export interface PostAppOptions {
  /** Adds a fourth consumer ("analytics") to the consumers stack. */
  readonly fourthConsumer?: boolean;
  /** Topic name of the posts topic. */
  readonly topicName?: string;
  /** Extra consumers-stack props (fault injection, attempts). */
  readonly consumers?: Partial<PostConsumersStackProps>;
  /**
   * Account and region of the stacks.
   * @default - env-agnostic, as the example app (the emulator then uses one region for tables and functions)
   */
  readonly env?: Environment;
  /** The cluster; default a new provisioned MSK cluster in a `Foundation` stack. */
  readonly cluster?: (app: App) => IKafkaCluster;
}

/** The fan-out example as the app wires it: cluster, publisher stack, consumers stack in that order. */
export function buildPostApp(app: App, options: PostAppOptions = {}) {
  const cluster = options.cluster?.(app) ?? new KafkaCluster(new Stack(app, 'Foundation', { env: options.env }), 'Cluster');
  const publisher = new PostPublisherStack(app, 'PostPublisher', { env: options.env, cluster, topicName: options.topicName });
  const consumers = new PostConsumersStack(app, 'PostConsumers', { env: options.env, cluster, topicName: options.topicName, ...options.consumers });
  // Deployment order only: the topic must exist before the mappings poll it. No reference flows back.
  consumers.addStackDependency(publisher);
  if (options.fourthConsumer) {
    consumers.posts.addConsumer('analytics', {
      entry: lambdaEntry('examples/post-second-hand'),
      environment: { USER_STATISTICS_TABLE: consumers.userStatisticsTable.tableName },
    });
    consumers.userStatisticsTable.grantReadWriteData(consumers.posts.consumers.analytics.function);
  }
  return { cluster, publisher, consumers };
}
