import * as path from 'path';
import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ChainDeclaration, TaskChain } from '../chain';
import type { IKafkaCluster } from '../cluster';
import { LatencyProfile } from '../consumer';
import { PROJECT_ROOT } from '../function/project-function';
import { ChainTasksEnv } from '../../lambdas/examples/contracts/chain-tasks-env';

const example = (file: string) => path.join(PROJECT_ROOT, 'lambdas', 'examples', 'chain-tasks', `${file}.ts`);

/** The classic nightly statistics chain: task1 → task2 → task3 at 02:00 Shanghai time, due by 06:00. */
export const NIGHTLY_CHAIN: ChainDeclaration = {
  name: 'nightly',
  schedule: { expression: 'cron(0 2 * * ? *)', timeZone: 'Asia/Shanghai' },
  deadline: { expression: 'cron(0 6 * * ? *)', timeZone: 'Asia/Shanghai' },
  tasks: [
    { name: 'task1', entry: example('nightly-task1'), timeoutSeconds: 120 },
    { name: 'task2', entry: example('nightly-task2'), dependsOn: ['task1'], timeoutSeconds: 120 },
    { name: 'task3', entry: example('nightly-task3'), dependsOn: ['task2'], timeoutSeconds: 120 },
  ],
};

/** Fork/join: extract → {users, orders} → report, each task doing real work on the data table. */
export const FORK_JOIN_CHAIN: ChainDeclaration = {
  name: 'forkjoin',
  tasks: [
    { name: 'extract', entry: example('extract'), timeoutSeconds: 120 },
    { name: 'users', entry: example('users'), dependsOn: ['extract'], timeoutSeconds: 120 },
    { name: 'orders', entry: example('orders'), dependsOn: ['extract'], timeoutSeconds: 120 },
    { name: 'report', entry: example('report'), dependsOn: ['users', 'orders'], timeoutSeconds: 120 },
  ],
};

/** The example chains by name (the command line looks chains up here). */
export const EXAMPLE_CHAINS: Record<string, ChainDeclaration> = { [NIGHTLY_CHAIN.name]: NIGHTLY_CHAIN, [FORK_JOIN_CHAIN.name]: FORK_JOIN_CHAIN };

/**
 * The DynamoDB actions the example tasks (`lambdas/examples/chain-tasks/`) call on the data table;
 * test/chain/dynamodb-actions.test.ts keeps the list in step with their code.
 */
export const EXAMPLE_TASK_DATA_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query'];

/** Properties of an example chain stack. */
export interface ChainStackProps extends StackProps {
  /** The cluster the chain's topic lives in. */
  readonly cluster: IKafkaCluster;
  /**
   * Latency profile of the task mappings.
   * @default LatencyProfile.ECONOMICAL
   */
  readonly latency?: LatencyProfile;
  /**
   * Lets run ids inject faults (`fail-<task>`, `slow-<task>`, `hold-<task>`) into the example tasks: for tests and demos only.
   * @default false
   */
  readonly faultInjection?: boolean;
  /**
   * First backoff between a failing task's attempts, in ms.
   * @default 1000
   */
  readonly retryBackoffMs?: number;
  /**
   * What the chain's alarms do when they fire and clear.
   * @default - none
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
  /**
   * The chain to deploy (the stack's example by default); tests pass variants.
   * @default - the stack's example declaration
   */
  readonly declaration?: ChainDeclaration;
}

/** One example chain with the data table its tasks read and write. */
export class ExampleChainStack extends Stack {
  public readonly chain: TaskChain;
  /** Where the example tasks keep their data (`pk`, `sk`); pointers name it. */
  public readonly dataTable: dynamodb.Table;

  constructor(scope: Construct, id: string, declaration: ChainDeclaration, props: ChainStackProps) {
    super(scope, id, props);
    const chain = props.declaration ?? declaration;
    this.dataTable = new dynamodb.Table(this, 'DataTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.chain = new TaskChain(this, 'Chain', {
      // Read from the cluster's SSM parameters, not exports: the cluster can be replaced.
      cluster: props.cluster.referenceFrom(this),
      chainName: chain.name,
      tasks: chain.tasks,
      schedule: chain.schedule,
      deadline: chain.deadline,
      latency: props.latency,
      alarmAction: props.alarmAction,
      removalPolicy: RemovalPolicy.DESTROY,
      retryBackoff: props.retryBackoffMs === undefined ? undefined : Duration.millis(props.retryBackoffMs),
      environment: {
        [ChainTasksEnv.DATA_TABLE_NAME]: this.dataTable.tableName,
        ...(props.faultInjection ? { [ChainTasksEnv.EXAMPLE_FAULT_INJECTION]: 'true', [ChainTasksEnv.EXAMPLE_SLOW_MS]: '6000' } : {}),
      },
    });
    for (const consumer of Object.values(this.chain.tasks)) this.dataTable.grant(consumer.function, ...EXAMPLE_TASK_DATA_ACTIONS);
  }
}

/** The nightly statistics chain (task1 → task2 → task3), scheduled, with a deadline alarm. */
export class NightlyChainStack extends ExampleChainStack {
  constructor(scope: Construct, id: string, props: ChainStackProps) {
    super(scope, id, NIGHTLY_CHAIN, props);
  }
}

/** The fork/join chain (extract → {users, orders} → report). */
export class ForkJoinChainStack extends ExampleChainStack {
  constructor(scope: Construct, id: string, props: ChainStackProps) {
    super(scope, id, FORK_JOIN_CHAIN, props);
  }
}
