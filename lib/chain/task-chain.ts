import * as path from 'path';
import { CfnOutput, CfnResource, Duration, NestedStack, RemovalPolicy, Stack, TimeZone, Tokenization, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { ChainEnv } from '../../lambdas/runtime/chain/config';
import { chainTopicName, taskFilters } from '../../lambdas/runtime/chain/events';
import { JOIN_TABLE_KEYS } from '../../lambdas/runtime/chain/join-store';
import { CHAIN_METRICS_NAMESPACE, taskMetricIdentities } from '../../lambdas/runtime/chain/metrics';
import { declareMetrics } from '../checks/declare-metrics';
import type { IKafkaCluster } from '../cluster';
import { DeadLetter, KafkaConsumer, LatencyProfile } from '../consumer';
import { validateInteger, validateLiteral, validateNumber } from '../core/validate';
import { acknowledgeFunctionFindings } from '../function/acknowledge';
import { createFunction, mergeBundling, PROJECT_ROOT } from '../function/project-function';
import { IKafkaTopic, KafkaTopic } from '../topic';
import { CHAIN_METADATA_KEY, chainMetadata } from './chain-metadata';
import type { ChainDeadline, ChainSchedule, TaskDeclaration } from './declaration';
import { ChainGraph } from './graph';

/**
 * The DynamoDB actions the join store (`lambdas/runtime/chain/join-store.ts`) calls: tasks get
 * these on the join table, not `grantReadWriteData` (no Scan or BatchWriteItem; DeleteItem only because a rerun removes its parked join).
 * test/chain/dynamodb-actions.test.ts keeps the list in step with the store's code.
 */
export const JOIN_STORE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/** Properties of a task chain. */
export interface TaskChainProps {
  /** The cluster the chain's topic lives in. */
  readonly cluster: IKafkaCluster;
  /** Name of the chain: lower-case letters, digits and '-'; part of the topic name, group ids and metric dimensions. */
  readonly chainName: string;
  /** The tasks and their dependencies; validated at synth. */
  readonly tasks: TaskDeclaration[];
  /**
   * Starts a run on this EventBridge Scheduler schedule; the run id is the business date in its time zone.
   * @default - no schedule: runs start from the command line or any publisher of run.requested
   */
  readonly schedule?: ChainSchedule;
  /**
   * When the final tasks of the day's run must have succeeded; misses raise `deadlineAlarm`.
   * @default - no deadline
   */
  readonly deadline?: ChainDeadline;
  /**
   * Polling profile of every task's event source mapping.
   * @default LatencyProfile.ECONOMICAL
   */
  readonly latency?: LatencyProfile;
  /**
   * The chain's topic.
   * @default - a new topic `chain.<chainName>.events` with `partitions` partitions
   */
  readonly topic?: IKafkaTopic;
  /**
   * Partitions of the created topic (runs spread over them by run id), 1..100.
   * @default 3
   */
  readonly partitions?: number;
  /**
   * How long a run's join state and status are kept after their last write (DynamoDB TTL), 1..365 days.
   * @default Duration.days(30)
   */
  readonly runRetention?: Duration;
  /**
   * First backoff between attempts of a failing task, doubled each attempt.
   * @default Duration.seconds(1)
   */
  readonly retryBackoff?: Duration;
  /**
   * Tasks per CloudFormation stack. Each task is about 10 resources; a chain with more tasks
   * than this puts them into nested stacks of this many (in declaration order, so adding tasks
   * at the end never moves existing ones), 1..45.
   * @default 40 - about 400 resources, below CloudFormation's 500 per stack with room for the
   * chain's own
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
   */
  readonly tasksPerStack?: number;
  /**
   * Environment given to every task function (a task's own `environment` wins).
   * @default {}
   */
  readonly environment?: Record<string, string>;
  /**
   * What happens to the join table when it leaves the stack.
   * @default RemovalPolicy.RETAIN - the table holds the state of runs in flight, which a
   * replaced stack could not rebuild
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * What every alarm of the chain (task failed, deadline missed, and each task consumer's) does when
   * it fires and when it clears, e.g. `new SnsAction(topic)`.
   * @default - none: the alarms change state and notify nobody
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * esbuild options for every task's bundle (a task's own `bundling` is merged over them),
   * merged over the project's defaults.
   * @default - the project's defaults
   */
  readonly bundling?: BundlingOptions;
}

/**
 * A chain of batch tasks that start when the tasks they depend on have succeeded for the same
 * run id. One Kafka topic carries the run's events (keyed by run id); each task is a
 * KafkaConsumer whose mapping filters only the events that concern it; a DynamoDB join table
 * makes each start happen once per run and per rerun.
 */
export class TaskChain extends Construct {
  /** The chain's name (topic, group ids, metrics). */
  public readonly chainName: string;
  /** The chain's topic (run and task events). */
  public readonly topic: IKafkaTopic;
  /** The shared dead-letter topic of the task consumers. */
  public readonly deadLetterTopic: KafkaTopic;
  /** Join state and per-task status of every run (partition key `pk`, sort key `sk`, TTL `expiresAt`). */
  public readonly joinTable: dynamodb.Table;
  /** Each task's consumer (function + mapping), by task name. */
  public readonly tasks: Record<string, KafkaConsumer> = {};
  /** Publishes run.requested (invoke it with `{ "runId": "2026-11-24" }`); target of the schedule. */
  public readonly runRequester: lambda.IFunction;
  /** The schedule that requests a run (present when `schedule` is set). */
  public readonly schedule?: scheduler.Schedule;
  /** Checks the final tasks at the deadline (present when `deadline` is set). */
  public readonly deadlineChecker?: lambda.IFunction;
  /** Fires when a run misses its deadline (present when `deadline` is set). */
  public readonly deadlineAlarm?: cloudwatch.Alarm;
  /** Fires when any task of the chain publishes task.failed. */
  public readonly taskFailedAlarm: cloudwatch.Alarm;
  /** Nested stacks holding the tasks when the chain is larger than `tasksPerStack`. */
  public readonly taskStacks: NestedStack[] = [];
  private readonly chainGraph: ChainGraph;

  constructor(scope: Construct, id: string, props: TaskChainProps) {
    super(scope, id);
    this.chainGraph = ChainGraph.of({ name: props.chainName, tasks: props.tasks, schedule: props.schedule, deadline: props.deadline });
    this.chainName = props.chainName;
    const partitions = props.partitions ?? 3;
    const retention = props.runRetention ?? Duration.days(30);
    const tasksPerStack = props.tasksPerStack ?? 40;
    this.validateProps({ partitions, retention, tasksPerStack });
    // A token (a CfnParameter of days) goes to the functions as it is; CloudFormation resolves it.
    const retentionDays = retention.isUnresolved() ? Tokenization.stringifyNumber(retention.toDays()) : String(Math.ceil(retention.toDays({ integral: false })));
    const { cluster } = props;

    this.topic = props.topic ?? new KafkaTopic(this, 'Topic', { cluster, topicName: chainTopicName(this.chainName), partitions });
    this.deadLetterTopic = new KafkaTopic(this, 'DeadLetterTopic', { cluster, topicName: `${this.topic.topicName}.dlt`, partitions: this.topic.partitions });

    this.joinTable = new dynamodb.Table(this, 'JoinTable', {
      partitionKey: { name: JOIN_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: JOIN_TABLE_KEYS.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: JOIN_TABLE_KEYS.timeToLive,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    const chainEnvironment = {
      [ChainEnv.CHAIN_NAME]: this.chainName,
      [ChainEnv.CHAIN_TOPIC]: this.topic.topicName,
      [ChainEnv.JOIN_TABLE_NAME]: this.joinTable.tableName,
      [ChainEnv.RUN_RETENTION_DAYS]: retentionDays,
    };
    // Group ids must not change when a task moves between stacks: built from the root stack's name.
    const groupPrefix = `${rootStack(this).stackName}.chain.${this.chainName}`;
    const nested = props.tasks.length > tasksPerStack;
    props.tasks.forEach((task, i) => {
      let scope: Construct = this;
      if (nested) {
        const index = Math.floor(i / tasksPerStack);
        if (!this.taskStacks[index]) this.taskStacks[index] = new NestedStack(this, `Tasks${index + 1}`, { description: `Tasks ${index * tasksPerStack + 1}-${Math.min(props.tasks.length, (index + 1) * tasksPerStack)} of chain ${this.chainName}` });
        scope = this.taskStacks[index];
      }
      const dependsOn = task.dependsOn ?? [];
      const consumer = new KafkaConsumer(scope, `Task-${task.name}`, {
        cluster,
        topic: this.topic,
        entry: task.entry,
        consumerName: `${this.chainName}-${task.name}`,
        consumerGroupId: `${groupPrefix}.${task.name}`,
        filters: taskFilters(this.chainName, task.name, dependsOn),
        // Chain events are small and a task may run for minutes: one run's event per invocation.
        batchSize: 10,
        latency: props.latency,
        timeout: Duration.seconds(task.timeoutSeconds ?? 300),
        deadLetter: DeadLetter.kafkaTopic(this.deadLetterTopic),
        produceTo: [this.topic],
        alarmAction: props.alarmAction,
        bundling: props.bundling || task.bundling ? mergeBundling(props.bundling ?? {}, task.bundling) : undefined,
        environment: {
          ...props.environment,
          ...task.environment,
          ...chainEnvironment,
          [ChainEnv.CHAIN_ROLE]: 'task',
          [ChainEnv.TASK_NAME]: task.name,
          [ChainEnv.TASK_DEPENDS_ON]: dependsOn.join(','),
          [ChainEnv.TASK_MAX_ATTEMPTS]: String(task.maxAttempts ?? 3),
          [ChainEnv.TASK_RETRY_BASE_MS]: String((props.retryBackoff ?? Duration.seconds(1)).toMilliseconds()),
        },
      });
      this.joinTable.grant(consumer.function, ...JOIN_STORE_ACTIONS);
      // The task runner's EMF lines (task-runner.ts), matched against the chain's alarms by the checks.
      declareMetrics(consumer.function, taskMetricIdentities(this.chainName, task.name, ['TaskSucceeded', 'TaskDuration', 'TaskFailed']));
      this.tasks[task.name] = consumer;
    });

    this.taskFailedAlarm = this.metric('TaskFailed').createAlarm(this, 'TaskFailedAlarm', {
      alarmDescription: `A task of chain ${this.chainName} failed after its retries (task.failed published)`,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const timeZone = props.schedule?.timeZone ?? 'UTC';
    // Always there: a run can be started with `aws lambda invoke` as well as by the schedule.
    const requester = this.chainFunction('RunRequester', 'run-requester', 'Publishes run.requested', { ...chainEnvironment, [ChainEnv.CHAIN_ROLE]: 'run-requester', [ChainEnv.CHAIN_TIME_ZONE]: timeZone }, cluster);
    this.topic.grantProduce(requester);
    this.runRequester = requester;
    if (props.schedule) {
      this.schedule = new scheduler.Schedule(this, 'Schedule', {
        description: `Starts a run of chain ${this.chainName}`,
        schedule: scheduler.ScheduleExpression.expression(props.schedule.expression, TimeZone.of(timeZone)),
        target: new targets.LambdaInvoke(requester, { input: scheduler.ScheduleTargetInput.fromObject({}), retryAttempts: 3, maxEventAge: Duration.hours(1) }),
      });
    }
    if (props.deadline) {
      const finals = this.chainGraph.sinks();
      const deadlineZone = props.deadline.timeZone ?? timeZone;
      const fn = this.chainFunction('DeadlineChecker', 'deadline-checker', 'Checks the run deadline', {
        ...chainEnvironment,
        [ChainEnv.CHAIN_ROLE]: 'deadline-checker',
        [ChainEnv.CHAIN_TIME_ZONE]: deadlineZone,
        [ChainEnv.CHAIN_FINAL_TASKS]: finals.join(','),
        [ChainEnv.DEADLINE_RUN_DATE_OFFSET_DAYS]: String(props.deadline.runDateOffsetDays ?? 0),
      }, cluster);
      this.topic.grantProduce(fn);
      this.joinTable.grantReadData(fn);
      this.deadlineChecker = fn;
      declareMetrics(fn, taskMetricIdentities(this.chainName, undefined, ['DeadlineMissed']));
      new scheduler.Schedule(this, 'DeadlineSchedule', {
        description: `Checks that chain ${this.chainName} finished (${finals.join(', ')})`,
        schedule: scheduler.ScheduleExpression.expression(props.deadline.expression, TimeZone.of(deadlineZone)),
        target: new targets.LambdaInvoke(fn, { input: scheduler.ScheduleTargetInput.fromObject({}), retryAttempts: 3, maxEventAge: Duration.hours(1) }),
      });
      this.deadlineAlarm = this.metric('DeadlineMissed', { statistic: 'Maximum' }).createAlarm(this, 'DeadlineAlarm', {
        alarmDescription: `Chain ${this.chainName}: ${finals.join(', ')} not succeeded by ${props.deadline.expression} ${deadlineZone}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    if (props.alarmAction) {
      for (const alarm of [this.taskFailedAlarm, this.deadlineAlarm]) {
        alarm?.addAlarmAction(props.alarmAction);
        alarm?.addOkAction(props.alarmAction);
      }
    }

    new CfnOutput(this, 'TopicName', { value: this.topic.topicName, description: `Topic of chain ${this.chainName}` });
    const joinTableOutput = new CfnOutput(this, 'JoinTableName', { value: this.joinTable.tableName, description: `Join and status table of chain ${this.chainName}` });
    // The command line finds the chain, and its table through the output, in `cdk.out` or a deployed template.
    (this.joinTable.node.defaultChild as CfnResource).addMetadata(
      CHAIN_METADATA_KEY,
      chainMetadata(this.chainGraph.declaration, this.topic.topicName, Stack.of(this).getLogicalId(joinTableOutput), appRelative),
    );
  }

  /** The validated graph: roots, downstream closure, topological order. */
  graph(): ChainGraph {
    return this.chainGraph;
  }

  /** The chain as a Mermaid flowchart. */
  mermaid(): string {
    return this.chainGraph.mermaid();
  }

  /** A chain metric (runtime EMF): TaskFailed, TaskSucceeded, TaskDuration, DeadlineMissed. */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: CHAIN_METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { Chain: this.chainName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Tasks that failed after their retries. */
  public metricTaskFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('TaskFailed', props);
  }

  private chainFunction(id: string, folder: string, description: string, environment: Record<string, string>, cluster: IKafkaCluster): lambda.IFunction {
    const fn = createFunction(this, id, {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'functions', `chain-${folder}`, 'index.ts'),
      description: `${description} for chain ${this.chainName}`,
      timeout: Duration.seconds(60),
      vpc: cluster.vpc,
      vpcSubnets: cluster.vpcSubnets,
      securityGroups: [cluster.clientSecurityGroup],
      environment: { ...cluster.connectionEnvironment(), ...environment },
    });
    acknowledgeFunctionFindings(fn, 'EventBridge Scheduler (which retries and drops after maxEventAge)');
    // The scheduler targets' shared role (created at stack level) may invoke the function and its versions.
    const logicalId = Stack.of(fn).getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    Validations.of(Stack.of(this)).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason: `EventBridge Scheduler's role invokes ${id} and its versions (the LambdaInvoke target grants function ARN and ARN:*)`,
    });
    return fn;
  }

  /** Every rule on the props, checked before anything is built; tokens are left to deploy time. */
  private validateProps(resolved: { partitions: number; retention: Duration; tasksPerStack: number }): void {
    validateInteger(this, 'partitions', resolved.partitions, 1, 100);
    if (!resolved.retention.isUnresolved()) {
      validateNumber(this, 'runRetention', resolved.retention.toDays({ integral: false }), { min: 1, max: 365, integer: false, unit: 'days' });
    }
    validateLiteral(this, 'tasksPerStack', resolved.tasksPerStack, 'it decides which nested stack holds each task');
    validateInteger(this, 'tasksPerStack', resolved.tasksPerStack, 1, 45);
  }
}

/** A task's entry as recorded in the template: relative to the app's directory, so the template is the same on every machine. */
function appRelative(entry: string): string {
  return path.isAbsolute(entry) ? path.relative(process.cwd(), entry).split(path.sep).join('/') : entry;
}

function rootStack(scope: Construct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) stack = stack.nestedStackParent;
  return stack;
}
