import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { KafkaCluster } from '../../lib/cluster';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { TaskChain } from '../../lib/chain';
import { JOIN_STORE_ACTIONS } from '../../lib/chain/task-chain';
import { ChainEnv } from '../../lambdas/runtime/chain/config';
import { describeFindings, nagFindings } from '../support/nag';
import { ForkJoinChainStack, NIGHTLY_CHAIN, NightlyChainStack } from '../../lib/examples/chain-stacks';

const ENV = { account: '111111111111', region: 'eu-west-1' };
// Bundling runs esbuild per function: build the app once per suite.
const app = new App();
const foundation = new Stack(app, 'Foundation', { env: ENV });
const cluster = new KafkaCluster(foundation, 'Cluster');
// As in the example app: alarms notify a topic (MskPipelines-AlarmHasAction).
const alarmAction = new SnsAction(new sns.Topic(foundation, 'Alarms', { enforceSSL: true }));
const nightly = new NightlyChainStack(app, 'Nightly', { env: ENV, cluster, alarmAction });
const forkJoin = new ForkJoinChainStack(app, 'ForkJoin', { env: ENV, cluster, alarmAction });
const nightlyTemplate = Template.fromStack(nightly);
const forkJoinTemplate = Template.fromStack(forkJoin);

describe('TaskChain', () => {
  describe('join table grants', () => {
    // The table the tasks are told to use as their join table (the stack has the example's data table too).
    const [taskFunction] = Object.values(forkJoinTemplate.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ [ChainEnv.TASK_NAME]: 'extract' }) } },
    })) as Array<{ Properties: { Environment: { Variables: Record<string, { Ref: string }> } } }>;
    const joinTable = taskFunction.Properties.Environment.Variables[ChainEnv.JOIN_TABLE_NAME].Ref;
    // What the join store calls (DeleteItem: a rerun removes its parked join), on the table alone:
    // its queries read no index.
    const joinTableStatement = {
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
      Effect: 'Allow',
      Resource: [{ 'Fn::GetAtt': [joinTable, 'Arn'] }],
    };
    const roleOfTask = (task: string) => {
      const [fn] = Object.values(forkJoinTemplate.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: Match.objectLike({ [ChainEnv.TASK_NAME]: task }) } },
      })) as Array<{ Properties: { Role: { 'Fn::GetAtt': [string, string] } } }>;
      return fn.Properties.Role['Fn::GetAtt'][0];
    };

    test('the construct grants what the join store calls', () => {
      expect(JOIN_STORE_ACTIONS).toEqual(joinTableStatement.Action);
    });

    test.each(['extract', 'users', 'orders', 'report'])('GIVEN task %s THEN its role may call exactly the join store\'s actions on the join table', (task) => {
      forkJoinTemplate.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleOfTask(task) }],
        PolicyDocument: { Statement: Match.arrayWith([joinTableStatement]) },
      });
    });

    test('GIVEN the whole chain stack THEN no other statement names the join table', () => {
      const refersToTable = (value: unknown): boolean => Array.isArray(value)
        ? value.some(refersToTable)
        : typeof value === 'object' && value !== null && (
          (value as { Ref?: string }).Ref === joinTable
          || (value as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0] === joinTable
          || Object.values(value).some(refersToTable));
      const statements = (Object.values(forkJoinTemplate.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Array<{ Resource: unknown }> } } }>)
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((st) => refersToTable(st.Resource));
      expect(statements).toEqual([joinTableStatement, joinTableStatement, joinTableStatement, joinTableStatement]);
    });
  });

  test('GIVEN an alarm action THEN the chain\'s alarms and its tasks\' alarms notify it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Alarmed');
    const cluster = new KafkaCluster(stack, 'Cluster');
    const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true });
    new TaskChain(stack, 'Chain', { cluster, chainName: 'nightly', tasks: NIGHTLY_CHAIN.tasks, deadline: NIGHTLY_CHAIN.deadline, alarmAction: new SnsAction(topic) });
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms).toHaveLength(2 + 3 * 3);
    const topicRef = { Ref: stack.resolve((topic.node.defaultChild as sns.CfnTopic).logicalId) };
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
  });

  test('GIVEN the fork/join chain THEN each task mapping filters only the events that concern it, with a stable group id', () => {
    forkJoinTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
    forkJoinTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['chain.forkjoin.events'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'ForkJoin.chain.forkjoin.extract' },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ value: { type: ['run.requested'], chain: ['forkjoin'] } }) },
          { Pattern: JSON.stringify({ value: { type: ['task.requested'], chain: ['forkjoin'], task: ['extract'] } }) },
        ],
      },
      DestinationConfig: Match.absent(),
    });
    forkJoinTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TASK_NAME: 'extract', DEAD_LETTER_TOPIC: 'chain.forkjoin.events.dlt', REPORT_BATCH_ITEM_FAILURES: 'false' }) },
    });
    forkJoinTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'ForkJoin.chain.forkjoin.report' },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ value: { type: ['task.succeeded'], chain: ['forkjoin'], task: ['users', 'orders'] } }) },
          { Pattern: JSON.stringify({ value: { type: ['task.requested'], chain: ['forkjoin'], task: ['report'] } }) },
        ],
      },
    });
  });

  test('GIVEN a chain THEN the topic, the shared dead-letter topic and the join table (on demand, TTL, PITR) exist', () => {
    forkJoinTemplate.hasResourceProperties('AWS::MSK::Topic', { TopicName: 'chain.forkjoin.events', PartitionCount: 3 });
    forkJoinTemplate.hasResourceProperties('AWS::MSK::Topic', { TopicName: 'chain.forkjoin.events.dlt' });
    forkJoinTemplate.resourceCountIs('AWS::MSK::Topic', 2);
    forkJoinTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    forkJoinTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHAIN_NAME: 'forkjoin', TASK_NAME: 'report', TASK_DEPENDS_ON: 'users,orders', CHAIN_TOPIC: 'chain.forkjoin.events', TASK_MAX_ATTEMPTS: '3', RUN_RETENTION_DAYS: '30' }) },
      Timeout: 120,
    });
    forkJoinTemplate.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  test('GIVEN the nightly chain THEN its join table records the declaration (entries relative to the app) and the output naming the table', () => {
    const outputKey = Object.entries(nightlyTemplate.findOutputs('*')).find(([, o]) => o.Description === 'Join and status table of chain nightly')![0];
    nightlyTemplate.hasResource('AWS::DynamoDB::Table', {
      Metadata: {
        'msk-pipelines:chain': {
          version: 1,
          chain: {
            name: 'nightly',
            tasks: [
              { name: 'task1', entry: 'lambdas/examples/chain-tasks/nightly-task1.ts', dependsOn: [], timeoutSeconds: 120 },
              { name: 'task2', entry: 'lambdas/examples/chain-tasks/nightly-task2.ts', dependsOn: ['task1'], timeoutSeconds: 120 },
              { name: 'task3', entry: 'lambdas/examples/chain-tasks/nightly-task3.ts', dependsOn: ['task2'], timeoutSeconds: 120 },
            ],
            schedule: { expression: 'cron(0 2 * * ? *)', timeZone: 'Asia/Shanghai' },
            deadline: { expression: 'cron(0 6 * * ? *)', timeZone: 'Asia/Shanghai' },
          },
          topicName: 'chain.nightly.events',
          joinTableOutput: outputKey,
        },
      },
    });
  });

  test('GIVEN the nightly chain THEN the schedule runs in Asia/Shanghai and a deadline check with an alarm exists', () => {
    nightlyTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({ Input: '{}' }),
    });
    nightlyTemplate.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'Asia/Shanghai' });
    nightlyTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CHAIN_FINAL_TASKS: 'task3', CHAIN_TIME_ZONE: 'Asia/Shanghai' }) },
    });
    nightlyTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeadlineMissed', Namespace: 'MskPipelines/Chains', Dimensions: [{ Name: 'Chain', Value: 'nightly' }] });
    nightlyTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TaskFailed', Namespace: 'MskPipelines/Chains' });
  });

  test('GIVEN the example stacks THEN cdk-nag (AwsSolutions + Serverless) has no unacknowledged finding', () => {
    expect(describeFindings([...nagFindings(nightly), ...nagFindings(forkJoin)])).toEqual([]);
  });

  test('GIVEN an invalid declaration WHEN the construct is built THEN synth fails naming the task', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad', { env: ENV });
    const c = new KafkaCluster(stack, 'Cluster');
    expect(() => new TaskChain(stack, 'Chain', { cluster: c, chainName: 'bad', tasks: [{ name: 'a', entry: 'x.ts', dependsOn: ['b'] }, { name: 'b', entry: 'x.ts', dependsOn: ['a'] }] })).toThrow(/cycle: (a → b → a|b → a → b)/);
    expect(() => new TaskChain(stack, 'Chain2', { cluster: c, chainName: 'ok', tasks: [{ name: 'a', entry: 'x.ts' }], partitions: 0 })).toThrow(/partitions must be an integer from 1 to 100, got 0/);
  });

  test('GIVEN the chain THEN graph() and mermaid() describe it', () => {
    expect(forkJoin.chain.graph().roots()).toEqual(['extract']);
    expect(forkJoin.chain.mermaid()).toContain('users --> report');
    expect(Object.keys(forkJoin.chain.tasks)).toEqual(['extract', 'users', 'orders', 'report']);
  });
});
