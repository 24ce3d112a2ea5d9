import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { IKafkaCluster } from '../cluster';
import { validate } from '../core/validate';
import { ConsumerEnv } from '../../lambdas/runtime/consumer-env';
import { PublisherEnv } from '../../lambdas/runtime/publisher-env';
import { KafkaConsumer, KafkaConsumerProps } from '../consumer';
import { IKafkaTopic, KafkaTopic, KafkaTopicAttributes } from '../topic';

/** A function that publishes: it can be granted rights and given environment variables (e.g. `lambda.Function`). */
export interface IPublisherFunction extends iam.IGrantable {
  /** Sets an environment variable of the function; `grantPublish` writes the cluster's connection and the topic name with it. */
  addEnvironment(key: string, value: string): unknown;
}

/** Properties of a new fan-out topic. */
export interface FanoutTopicProps {
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /** Topic name (Kafka's rules: 1..249 characters of [a-zA-Z0-9._-]). Consumers in other stacks import it by this name. */
  readonly topicName: string;
  /**
   * Partitions: the most consumers of one group that can work at once. Order holds per key within a partition.
   * @default 3
   */
  readonly partitions?: number;
  /**
   * Replication factor.
   * @default min(3, the cluster's broker count)
   */
  readonly replicationFactor?: number;
  /**
   * Topic-level configs, e.g. `{ 'retention.ms': '604800000' }`. Retention bounds how far a new consumer can replay.
   * @default {}
   */
  readonly configs?: Record<string, string>;
}

/** Properties of one consumer of a fan-out topic: a KafkaConsumer's, minus what the topic decides. */
export interface FanoutConsumerProps extends Omit<KafkaConsumerProps, 'cluster' | 'topic' | 'consumerName'> {
  /**
   * Table for the consumer's idempotency records (partition key `id`, TTL attribute `expiration`),
   * read by `onceByEventId` through IDEMPOTENCY_TABLE. Several consumers may share one: records are
   * prefixed by POWERTOOLS_SERVICE_NAME, which KafkaConsumer sets to the consumer's name.
   * @default - a table of the consumer's own, so that no consumer's records can mask another's
   */
  readonly idempotencyTable?: dynamodb.ITable;
  /**
   * Whether the consumer gets an idempotency table (IDEMPOTENCY_TABLE and PutItem/DeleteItem on
   * it). Turn it off for a consumer whose effect dedupes by its own keyed row (`writeOncePerKey`)
   * or is idempotent by nature: it then has no table, variable or grant it does not use.
   * @default true - `onceByEventId` and `writeOncePerEvent` need the table
   */
  readonly idempotency?: boolean;
}

/** Consumer names become construct ids, group ids, service names and table ids: keep them plain. */
const CONSUMER_NAME = /^[a-z][a-z0-9-]{0,47}$/;

/** The consumer group of consumer `name` of `topicName`: stable across stacks and construct paths, so moving the consumer keeps its offsets. */
export function fanoutConsumerGroupId(topicName: string, name: string): string {
  return `${topicName}.${name}`;
}

/**
 * Shared by the topic's owner and its importers: consumers and the publish grant only need the
 * topic's name and cluster, never the resource that created it.
 */
abstract class FanoutTopicBase extends Construct {
  /** The topic's name. */
  public abstract readonly topicName: string;
  /** The cluster the topic lives in. */
  public abstract readonly cluster: IKafkaCluster;
  /** The consumers added through this construct, by name. */
  public readonly consumers: Record<string, KafkaConsumer> = {};
  /** Idempotency table per consumer name (the same table for consumers that share one; none for a consumer added with `idempotency: false`). */
  public readonly idempotencyTables: Record<string, dynamodb.ITable> = {};
  /** The topic the consumers read and the publisher writes. */
  public abstract readonly kafkaTopic: IKafkaTopic;

  /**
   * A new consumer of the topic: its own function, event source mapping, consumer group
   * (`<topic>.<name>` unless given), dead-letter topic, bounded retries, filters and alarms.
   * Adding one changes nothing in the stack that owns the topic or the publisher.
   */
  public addConsumer(name: string, props: FanoutConsumerProps): KafkaConsumer {
    validate(this, CONSUMER_NAME.test(name),
      `consumer name must be 1-48 characters of a-z, 0-9 and '-', starting with a letter; got ${JSON.stringify(name)}`);
    validate(this, !this.consumers[name], `consumer name ${JSON.stringify(name)} is already used on topic ${this.topicName}`);
    const { idempotencyTable, idempotency = true, ...consumerProps } = props;
    validate(this, idempotency || !idempotencyTable,
      `consumer ${JSON.stringify(name)}: idempotencyTable is given but idempotency is false; drop one of them`);
    const table = idempotency ? idempotencyTable ?? this.newIdempotencyTable(name) : undefined;
    const consumer = new KafkaConsumer(this, pascal(name), {
      ...consumerProps,
      cluster: this.cluster,
      topic: this.kafkaTopic,
      consumerName: name,
      consumerGroupId: props.consumerGroupId ?? fanoutConsumerGroupId(this.topicName, name),
      environment: { ...props.environment, ...(table ? { [ConsumerEnv.IDEMPOTENCY_TABLE]: table.tableName } : {}) },
    });
    this.consumers[name] = consumer;
    if (table) {
      table.grant(consumer.function, ...IDEMPOTENCY_TABLE_ACTIONS);
      this.idempotencyTables[name] = table;
    }
    return consumer;
  }

  /**
   * Lets a function publish to the topic: produce rights on the topic only, plus TOPIC_NAME and
   * the cluster's connection environment. The function is expected in the cluster's VPC with its
   * client security group.
   */
  public grantPublish(publisher: IPublisherFunction): iam.Grant {
    const grant = this.kafkaTopic.grantProduce(publisher);
    for (const [key, value] of Object.entries(this.cluster.connectionEnvironment())) publisher.addEnvironment(key, value);
    publisher.addEnvironment(PublisherEnv.TOPIC_NAME, this.topicName);
    return grant;
  }

  private newIdempotencyTable(name: string): dynamodb.Table {
    return new dynamodb.Table(this, `${pascal(name)}IdempotencyTable`, {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiration',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Idempotency records expire within a day; nothing worth keeping once the consumer is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}

/**
 * What the runtime does on a consumer's idempotency table: `onceByEventId` puts its in-progress
 * and completed records (conditional puts; the record that blocked a put comes back with the
 * error, so no read) and deletes the record of an effect that threw; `writeOncePerEvent` puts
 * the event's marker inside the effect's transaction, which IAM authorises as PutItem.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */
export const IDEMPOTENCY_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const;

/**
 * A topic that one publisher writes and any number of consumers read, each on its own. Consumers
 * may be added here or, in another stack, on `FanoutTopic.fromTopicAttributes(...)`: the stack that owns
 * the topic (and its publisher) never references them.
 */
export class FanoutTopic extends FanoutTopicBase {
  /** A fan-out topic created elsewhere, by name and cluster: add consumers to it from any stack. */
  public static fromTopicAttributes(scope: Construct, id: string, attrs: KafkaTopicAttributes): IFanoutTopic {
    return new ImportedFanoutTopic(scope, id, attrs);
  }

  /**
   * A fan-out topic created elsewhere.
   * @deprecated `fromTopicName` takes an attributes object, against CDK's naming: use `FanoutTopic.fromTopicAttributes`.
   */
  public static fromTopicName(scope: Construct, id: string, attrs: KafkaTopicAttributes): IFanoutTopic {
    return FanoutTopic.fromTopicAttributes(scope, id, attrs);
  }

  /** The topic's name. */
  public readonly topicName: string;
  /** The cluster the topic lives in. */
  public readonly cluster: IKafkaCluster;
  /** The topic resource. */
  public readonly topic: KafkaTopic;
  /** The topic the consumers read and the publisher writes. */
  public readonly kafkaTopic: IKafkaTopic;

  constructor(scope: Construct, id: string, props: FanoutTopicProps) {
    super(scope, id);
    this.topic = new KafkaTopic(this, 'Topic', {
      cluster: props.cluster,
      topicName: props.topicName,
      partitions: props.partitions,
      replicationFactor: props.replicationFactor,
      configs: props.configs,
    });
    this.kafkaTopic = this.topic;
    this.topicName = this.topic.topicName;
    this.cluster = props.cluster;
  }
}

/** A fan-out topic owned by another stack (`FanoutTopic.fromTopicAttributes`): consumers can be added, the topic is not managed here. */
class ImportedFanoutTopic extends FanoutTopicBase {
  /** The topic's name. */
  public readonly topicName: string;
  /** The cluster the topic lives in. */
  public readonly cluster: IKafkaCluster;
  /** The topic the consumers read and the publisher writes. */
  public readonly kafkaTopic: IKafkaTopic;

  constructor(scope: Construct, id: string, attrs: KafkaTopicAttributes) {
    super(scope, id);
    this.kafkaTopic = KafkaTopic.fromTopicAttributes(this, 'Topic', attrs);
    this.topicName = attrs.topicName;
    this.cluster = attrs.cluster;
  }
}

/** A fan-out topic, owned here or imported by name. */
export interface IFanoutTopic extends IConstruct {
  /** The topic's name. */
  readonly topicName: string;
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /** The topic the consumers read and the publisher writes. */
  readonly kafkaTopic: IKafkaTopic;
  /** The consumers added through this construct, by name. */
  readonly consumers: Record<string, KafkaConsumer>;
  /** Idempotency table per consumer name. */
  readonly idempotencyTables: Record<string, dynamodb.ITable>;
  /** Adds a consumer with its own function, mapping, consumer group and dead-letter topic. */
  addConsumer(name: string, props: FanoutConsumerProps): KafkaConsumer;
  /** Lets a function publish to the topic (grants and environment). */
  grantPublish(publisher: IPublisherFunction): iam.Grant;
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
