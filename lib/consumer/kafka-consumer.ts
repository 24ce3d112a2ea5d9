import { Duration, Stack, Tokenization, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BundlingOptions, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConsumerEnv } from '../../lambdas/runtime/consumer-env';
import { deadLetteredMetricIdentity, RuntimeMetrics } from '../../lambdas/runtime/metrics';
import { declareMetrics } from '../checks/declare-metrics';
import { IKafkaCluster } from '../cluster';
import { IKafkaTopic } from '../topic';
import { acknowledgeFunctionFindings } from '../function/acknowledge';
import { validate, validateDuration, validateInteger, validateLiteral, validatePattern } from '../core/validate';
import { DeadLetter } from './dead-letter';
import { createFunction } from '../function/project-function';
import { defaultBatchingWindow, LatencyProfile } from './latency-profile';
import { addKafkaMapping } from './mapping';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** CloudWatch namespace of the runtime's own metrics (EMF), e.g. `DeadLetteredRecords`. */
export const METRICS_NAMESPACE = RuntimeMetrics.NAMESPACE;

/**
 * Provisioned pollers of a low-latency mapping: event pollers dedicated to the mapping, each a
 * compute unit of about 5 MB/s of throughput, which Lambda scales between these bounds.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html
 */
export interface ProvisionedPollers {
  /**
   * Fewest event pollers the mapping keeps, even when idle (Lambda accepts 1..200); written as `MinimumPollers`.
   * @default 1 - Lambda's own default: one dedicated poller, the least a provisioned mapping costs
   */
  readonly minimum?: number;
  /**
   * Most event pollers the mapping scales up to (Lambda accepts 1..2000); written as `MaximumPollers`.
   * @default 2 - keeps the provisioned cost small (Lambda's own default is 200); raise it for busier topics
   */
  readonly maximum?: number;
}

/** Properties of a Kafka consumer. */
export interface KafkaConsumerProps {
  /** The cluster. */
  readonly cluster: IKafkaCluster;
  /** The topic to consume. */
  readonly topic: IKafkaTopic;
  /** TypeScript entry of the function. */
  readonly entry: string;
  /**
   * Exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Name of the consumer, used in the consumer group id, the dead-letter topic name and logs.
   * @default - the construct id
   */
  readonly consumerName?: string;
  /**
   * Kafka consumer group id of the mapping. Lambda cannot change a mapping's group id in place, so
   * the id is part of the mapping's logical id: changing it creates a new mapping whose new group
   * starts at `startingPosition` (records the old group had not read are read again from there or
   * skipped, depending on it), then deletes the old mapping. The old group's committed offsets stay
   * in the cluster until Kafka expires them (`offsets.retention.minutes`, 7 days by default).
   * @default `<stack name>-<consumer name>`, stable across deployments
   * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html
   */
  readonly consumerGroupId?: string;
  /**
   * Where a new consumer group starts.
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * Records per batch (1..10000).
   * @default 100 - Lambda's default for Kafka
   * @see https://docs.aws.amazon.com/lambda/latest/dg/msk-esm-parameters.html
   */
  readonly batchSize?: number;
  /**
   * How long to gather records before invoking (whole seconds, 0..300).
   * @default - economical: Lambda's default for Kafka (500 ms); low latency: 0
   * @see https://docs.aws.amazon.com/lambda/latest/dg/msk-esm-parameters.html
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Filter-criteria patterns on the record, e.g. `{ value: { type: ['post.published'] } }`.
   * @default - every record
   */
  readonly filters?: Array<Record<string, any>>;
  /**
   * Attempts per record before it is dead-lettered (1..10001). The runtime reads it as
   * MAX_ATTEMPTS; in the low-latency profile the mapping also retries `maxAttempts - 1` times.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Records of one partition the function handles at once (1..100). Records with the same key
   * always run one after the other in offset order, which is the order Kafka promises; 1 keeps
   * the whole partition in offset order. Raise it for consumers whose effects do not depend on
   * the order of different keys: a batch then takes about as long as its slowest key. The runtime
   * reads it as RECORD_CONCURRENCY.
   * @default 1
   */
  readonly recordConcurrency?: number;
  /**
   * Where records go after `maxAttempts`. The runtime writes them there itself in both profiles; a
   * low-latency mapping also names it as its on-failure destination.
   * @default DeadLetter.kafkaTopic() (a new `<topic>.<consumer>.dlt`)
   */
  readonly deadLetter?: DeadLetter;
  /**
   * Polling profile.
   * @default LatencyProfile.ECONOMICAL
   */
  readonly latency?: LatencyProfile;
  /**
   * Provisioned pollers (low latency only).
   * @default { minimum: 1, maximum: 2 }
   */
  readonly provisionedPollers?: ProvisionedPollers;
  /**
   * Extra environment variables.
   * @default {}
   */
  readonly environment?: Record<string, string>;
  /**
   * Function timeout (at most 14 minutes for Kafka mappings).
   * @default Duration.seconds(60) - long enough for a batch with bounded retries, short enough that a hung record is noticed
   * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html
   */
  readonly timeout?: Duration;
  /**
   * Function memory in MB (128..10240).
   * @default 256 - the project's default for I/O-bound handlers
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
   */
  readonly memorySize?: number;
  /**
   * Topics the function may also write to (grants only).
   * @default []
   */
  readonly produceTo?: IKafkaTopic[];
  /**
   * Create alarms on offset lag, errors and dead-lettered records.
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * What the alarms do when they fire (and when they clear), e.g. `new SnsAction(topic)`.
   * @default - none: the alarms change state in CloudWatch and notify nobody
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * esbuild options for the function's bundle, merged over the project's defaults: for example
   * `externalModules: ['avro-js', 'protobufjs']` for a handler built on
   * `@aws-lambda-powertools/kafka`, whose optional schema libraries are not installed.
   * @default - the project's defaults (minified CJS for node20, external source maps without sources, the AWS SDK left to the Lambda runtime; see `defaultFunctionProps`)
   */
  readonly bundling?: BundlingOptions;
}

/**
 * One Kafka-triggered function: a NodejsFunction with project defaults, its event source
 * mapping (explicit consumer group, on-failure destination, filters), least-privilege IAM
 * for its topic and group, a dead-letter destination and alarms.
 */
export class KafkaConsumer extends Construct {
  /** The consumer's function. */
  public readonly function: NodejsFunction;
  /** The consumer's name (group id default, dead-letter topic name, metric dimension). */
  public readonly consumerName: string;
  /** The mapping's consumer group id. */
  public readonly consumerGroupId: string;
  /** The polling profile. */
  public readonly latency: LatencyProfile;
  /** The event source mapping. */
  public readonly mapping: lambda.EventSourceMapping;
  /** The dead-letter topic, with `DeadLetter.kafkaTopic()`. */
  public readonly deadLetterTopic?: IKafkaTopic;
  /** The dead-letter queue, with `DeadLetter.sqs()`. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** Offset lag, errors and dead-lettered records (empty with `alarms: false`). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly topic: IKafkaTopic;

  constructor(scope: Construct, id: string, props: KafkaConsumerProps) {
    super(scope, id);
    const { cluster, topic } = props;
    this.topic = topic;
    this.consumerName = props.consumerName ?? id;
    this.consumerGroupId = props.consumerGroupId ?? `${Stack.of(this).stackName}-${this.consumerName}`;
    this.latency = props.latency ?? LatencyProfile.ECONOMICAL;
    const lowLatency = this.latency === LatencyProfile.LOW_LATENCY;
    const batchSize = props.batchSize ?? 100;
    const window = props.maxBatchingWindow ?? defaultBatchingWindow(this.latency);
    const maxAttempts = props.maxAttempts ?? 3;
    const recordConcurrency = props.recordConcurrency ?? 1;
    const timeout = props.timeout ?? Duration.seconds(60);
    this.validateProps(props, { batchSize, window, maxAttempts, recordConcurrency, timeout });

    const deadLetter = (props.deadLetter ?? DeadLetter.kafkaTopic())._bind(this, topic, this.consumerName);
    this.deadLetterTopic = deadLetter.topic;
    this.deadLetterQueue = deadLetter.queue;

    this.function = createFunction(this, 'Function', {
      entry: props.entry,
      handler: props.handler,
      description: `Consumer ${this.consumerName} of Kafka topic ${topic.topicName}`,
      timeout,
      memorySize: props.memorySize,
      bundling: props.bundling,
      vpc: cluster.vpc,
      vpcSubnets: cluster.vpcSubnets,
      securityGroups: [cluster.clientSecurityGroup],
      environment: {
        ...props.environment,
        ...cluster.connectionEnvironment(),
        [ConsumerEnv.TOPIC_NAME]: topic.topicName,
        [ConsumerEnv.CONSUMER_GROUP_ID]: this.consumerGroupId,
        [ConsumerEnv.MAX_ATTEMPTS]: Tokenization.stringifyNumber(maxAttempts),
        [ConsumerEnv.RECORD_CONCURRENCY]: Tokenization.stringifyNumber(recordConcurrency),
        // The runtime returns batchItemFailures only to a mapping that honours them; otherwise it throws.
        [ConsumerEnv.REPORT_BATCH_ITEM_FAILURES]: String(lowLatency),
        [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: this.consumerName,
        [PowertoolsEnv.POWERTOOLS_METRICS_NAMESPACE]: METRICS_NAMESPACE,
        ...deadLetter.environment,
      },
    });

    // The record handler counts dead letters under the service name set above (checked by AlarmMetricEmitted).
    declareMetrics(this.function, [deadLetteredMetricIdentity(this.consumerName)]);

    topic.grantConsume(this.function, this.consumerGroupId);
    deadLetter.grant(this.function);
    for (const extra of props.produceTo ?? []) extra.grantProduce(this.function);

    const pollers = props.provisionedPollers ?? {};
    this.mapping = addKafkaMapping(this.function, {
      cluster,
      topicName: topic.topicName,
      consumerGroupId: this.consumerGroupId,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize,
      maxBatchingWindow: window,
      filters: props.filters,
      latency: this.latency,
      onFailure: deadLetter.onFailure,
      maxAttempts,
      provisionedPollers: { minimum: pollers.minimum ?? 1, maximum: pollers.maximum ?? 2 },
    });
    // The topic (and a dead-letter topic) must exist before Lambda starts polling.
    this.mapping.node.addDependency(topic.resource);
    if (this.deadLetterTopic) this.mapping.node.addDependency(this.deadLetterTopic.resource);

    if (props.alarms ?? true) this.createAlarms(props.alarmAction);
    this.acknowledgeNagFindings();
  }

  /** Records the consumer group is behind the end of the topic (maximum over partitions). */
  public metricOffsetLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OffsetLag',
      dimensionsMap: { FunctionName: this.function.functionName },
      statistic: 'Maximum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /** Failed invocations of the function. */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors({ period: Duration.minutes(1), ...props });
  }

  /** Records the runtime sent to the dead-letter destination (the runtime's EMF metric, `emitDeadLettered`). */
  public metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: RuntimeMetrics.NAMESPACE,
      metricName: RuntimeMetrics.DEAD_LETTERED_RECORDS,
      dimensionsMap: { [RuntimeMetrics.SERVICE_DIMENSION]: this.consumerName },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  private createAlarms(action: cloudwatch.IAlarmAction | undefined): void {
    const name = (what: string) => `${this.consumerName} ${what}`;
    this.alarms.push(
      this.metricOffsetLag().createAlarm(this, 'OffsetLagAlarm', {
        alarmDescription: name(`is more than 1000 records behind on ${this.topic.topicName} for 5 minutes`),
        threshold: 1000,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.metricErrors().createAlarm(this, 'ErrorsAlarm', {
        alarmDescription: name('function failed'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.metricDeadLettered().createAlarm(this, 'DeadLetteredAlarm', {
        alarmDescription: name('dead-lettered records'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    if (action) {
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  private acknowledgeNagFindings(): void {
    acknowledgeFunctionFindings(this.function, 'its Kafka event source mapping (failed records are dead-lettered by the runtime)');
    if (this.latency !== LatencyProfile.LOW_LATENCY) {
      Validations.of(this.mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: 'On-demand (economical) Kafka mappings have no documented on-failure destination; the function runtime dead-letters each record itself after its bounded attempts (DEAD_LETTER_TOPIC / DEAD_LETTER_QUEUE_URL)',
      });
    }
  }

  /** Every rule on the props, checked before anything is built; tokens are left to deploy time. */
  private validateProps(
    props: KafkaConsumerProps,
    resolved: { batchSize: number; window?: Duration; maxAttempts: number; recordConcurrency: number; timeout: Duration },
  ): void {
    validate(this, props.topic.cluster === props.cluster,
      `topic '${props.topic.topicName}' belongs to another cluster than the consumer's cluster`);
    validatePattern(this, 'consumerName', this.consumerName, /^[a-zA-Z0-9._-]{1,100}$/, '1-100 characters of [a-zA-Z0-9._-]');
    validatePattern(this, 'consumerGroupId', this.consumerGroupId, /^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/, '1-200 characters of [a-zA-Z0-9-/*:_+=.@]');
    validateInteger(this, 'batchSize', resolved.batchSize, 1, 10_000);
    validateDuration(this, 'maxBatchingWindow', resolved.window, { maxSeconds: 300, wholeSeconds: true });
    validateInteger(this, 'maxAttempts', resolved.maxAttempts, 1, 10_001);
    // The low-latency mapping retries maxAttempts - 1 times: CloudFormation cannot subtract from a parameter.
    if (this.latency === LatencyProfile.LOW_LATENCY) {
      validateLiteral(this, 'maxAttempts', resolved.maxAttempts, 'with LatencyProfile.LOW_LATENCY the mapping retries maxAttempts - 1 times');
    }
    validateInteger(this, 'recordConcurrency', resolved.recordConcurrency, 1, 100);
    if (!resolved.timeout.isUnresolved()) {
      validate(this, resolved.timeout.toSeconds() <= 14 * 60,
        `timeout must be at most 14 minutes for a Kafka event source mapping, got ${resolved.timeout.toSeconds()} s`);
    }
    validate(this, !props.provisionedPollers || this.latency === LatencyProfile.LOW_LATENCY,
      'provisionedPollers applies to latency LatencyProfile.LOW_LATENCY only, got LatencyProfile.ECONOMICAL');
    for (const [i, f] of (props.filters ?? []).entries()) {
      validate(this, typeof f === 'object' && f !== null && Object.keys(f).length > 0,
        `filters[${i}] must be a non-empty pattern object, got ${JSON.stringify(f)}`);
      const unknown = Object.keys(f).filter((k) => !FILTER_FIELDS.includes(k));
      validate(this, unknown.length === 0,
        `filters[${i}] may match ${FILTER_FIELDS.slice(0, -1).join(', ')} or ${FILTER_FIELDS[FILTER_FIELDS.length - 1]}, got '${unknown.join("', '")}'`);
    }
  }
}

/** What a Kafka filter pattern may match. @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html */
const FILTER_FIELDS = ['value', 'key', 'headers', 'topic', 'partition', 'offset', 'timestamp'];
