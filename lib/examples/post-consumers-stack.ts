import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { IKafkaCluster } from '../cluster';
import { KafkaConsumer, LatencyProfile } from '../consumer';
import { lambdaEntry } from '../function/project-function';
import { FanoutTopic, IFanoutTopic } from '../fanout';
import { POSTS_TOPIC, PostPublisherStack } from './post-publisher-stack';
import { PostEnv } from '../../lambdas/examples/contracts/post-env';

/** Properties of the post consumers. */
export interface PostConsumersStackProps extends StackProps {
  /** The cluster the posts topic lives in. */
  readonly cluster: IKafkaCluster;
  /**
   * The posts topic, by name (created by the publisher's stack; deploy that first).
   * @default POSTS_TOPIC ('posts.published')
   */
  readonly topicName?: string;
  /**
   * Partitions of the posts topic; each consumer's dead-letter topic gets as many.
   * @default 3
   */
  readonly partitions?: number;
  /**
   * Latency profile of the three consumers.
   * @default LatencyProfile.ECONOMICAL
   */
  readonly latency?: LatencyProfile;
  /**
   * In-handler attempts per record before it goes to the consumer's dead-letter topic.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Fault injection for tests: the real-estate consumer rejects posts whose id starts with this.
   * @default - none
   */
  readonly realEstateRejectsPostIdPrefix?: string;
  /**
   * What happens to the effect tables when removed from the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * What the consumers' alarms do when they fire and clear.
   * @default - none
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * How many records of one batch each consumer handles at once (posts need no order among
   * themselves). bench/fanout.ts varies it: DynamoDB Local serializes writes that DynamoDB does not.
   * @default 10
   */
  readonly recordConcurrency?: number;
}

/**
 * Three independent consumers of `post.published`, each with its own function, consumer group,
 * dead-letter topic and effect table. The topic is imported by name: the publisher's stack
 * never references this one, so consumers come and go without touching it.
 */
export class PostConsumersStack extends Stack {
  public readonly posts: IFanoutTopic;
  public readonly recruitment: KafkaConsumer;
  public readonly realEstate: KafkaConsumer;
  public readonly secondHand: KafkaConsumer;
  /** Recruitment: one row per rewarded post (`postId`). */
  public readonly rewardsTable: dynamodb.Table;
  /** Recruitment: bean balance per user (`userId`). */
  public readonly balancesTable: dynamodb.Table;
  /** Real estate: one row per pinned post (`postId`) with `pinnedUntil`. */
  public readonly pinnedPostsTable: dynamodb.Table;
  /** Second-hand: statistics per user (`userId`) with `postsCount`. */
  public readonly userStatisticsTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PostConsumersStackProps) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const table = (tableId: string, key: string) =>
      new dynamodb.Table(this, tableId, {
        partitionKey: { name: key, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy,
      });
    this.rewardsTable = table('RewardsTable', 'postId');
    this.balancesTable = table('BalancesTable', 'userId');
    this.pinnedPostsTable = table('PinnedPostsTable', 'postId');
    this.userStatisticsTable = table('UserStatisticsTable', 'userId');

    this.posts = FanoutTopic.fromTopicAttributes(this, 'Posts', {
      cluster: props.cluster.referenceFrom(this),
      topicName: props.topicName ?? POSTS_TOPIC,
      partitions: props.partitions,
    });
    // Posts are keyed by post id and every effect is idempotent by post: records of different
    // posts need no order among themselves, so a batch runs ten posts at a time. Each effect's
    // first write is a row keyed by the post (writeOncePerKey): that row is the dedupe, so the
    // consumers have no idempotency table.
    const common = { idempotency: false, latency: props.latency, maxAttempts: props.maxAttempts, recordConcurrency: props.recordConcurrency ?? 10, filters: [{ value: { type: ['post.published'] } }], alarmAction: props.alarmAction };

    this.recruitment = this.posts.addConsumer('recruitment', {
      ...common,
      entry: lambdaEntry('examples/post-recruitment'),
      environment: { [PostEnv.REWARDS_TABLE]: this.rewardsTable.tableName, [PostEnv.BALANCES_TABLE]: this.balancesTable.tableName },
    });
    // Only the writes each effect's transaction makes (IAM authorises a transaction's writes as
    // the item actions): https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
    this.rewardsTable.grant(this.recruitment.function, 'dynamodb:PutItem');
    this.balancesTable.grant(this.recruitment.function, 'dynamodb:UpdateItem');

    this.realEstate = this.posts.addConsumer('real-estate', {
      ...common,
      entry: lambdaEntry('examples/post-real-estate'),
      environment: {
        [PostEnv.PINNED_POSTS_TABLE]: this.pinnedPostsTable.tableName,
        ...(props.realEstateRejectsPostIdPrefix ? { [PostEnv.REJECT_POST_ID_PREFIX]: props.realEstateRejectsPostIdPrefix } : {}),
      },
    });
    this.pinnedPostsTable.grant(this.realEstate.function, 'dynamodb:PutItem');

    this.secondHand = this.posts.addConsumer('second-hand', {
      ...common,
      entry: lambdaEntry('examples/post-second-hand'),
      environment: { [PostEnv.USER_STATISTICS_TABLE]: this.userStatisticsTable.tableName },
    });
    this.userStatisticsTable.grant(this.secondHand.function, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }
}

/** Options of the fan-out example in the example app. */
export interface PostFanoutOptions {
  /** Prefix of the stack names. @default 'MskPipelines-' */
  readonly prefix?: string;
  /** Open POST /posts for a demo. @default false */
  readonly openRoute?: boolean;
  /** Alarm action of the consumers' alarms. @default - none */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/** The fan-out example's two stacks on a cluster: the publisher first, then the consumers (deployment order only). */
export function postFanoutStacks(scope: Construct, cluster: IKafkaCluster, options: PostFanoutOptions = {}): [PostPublisherStack, PostConsumersStack] {
  const prefix = options.prefix ?? 'MskPipelines-';
  const publisher = new PostPublisherStack(scope, `${prefix}PostPublisher`, { cluster, openRoute: options.openRoute, description: 'Fan-out example: POST /posts publishes post.published' });
  const consumers = new PostConsumersStack(scope, `${prefix}PostConsumers`, { cluster, alarmAction: options.alarmAction, description: 'Fan-out example: three independent consumers of post.published' });
  consumers.addStackDependency(publisher);
  return [publisher, consumers];
}
