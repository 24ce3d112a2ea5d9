import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as sns from 'aws-cdk-lib/aws-sns';
import { declareMetrics } from '../../lib/checks';
import { KafkaCluster } from '../../lib/cluster';
import { KafkaConsumer } from '../../lib/consumer';
import { lambdaEntry } from '../../lib/function/project-function';
import { httpApiAccessLogFormat } from '../../lib/http';
import { KafkaTopic } from '../../lib/topic';
import { CLUSTER_ARN, recorderFunction } from '../local/fixtures/emulator-app';

/**
 * Two small apps for the checks: one breaking every rule once (each resource named after the rule
 * it breaks), and one built with the library's constructs that breaks none (the negative control).
 */

/** The logical-id prefix of the resource that breaks each rule in `buildWrongApp`. */
export const WRONG: Record<string, string[]> = {
  KafkaMappingConsumerGroupId: ['NoGroupMapping'],
  KafkaConsumerDeadLetter: ['NoGroupMapping'],
  OnDemandKafkaMappingControls: ['ProvisionedOnlyMapping'],
  KafkaFunctionHasBrokers: ['ArnOnlyFunction'],
  MskClusterIamTls: ['OpenCluster'],
  WriteRouteAuthorized: ['ApiPOSTorders'],
  HttpApiAccessLogVariables: ['RestFormatStage'],
  AlarmHasAction: ['SilentAlarm'],
  AlarmMetricEmitted: ['TypoAlarm'],
};

/**
 * Every rule broken once, in stack `Wrong`; plus, in stack `Watcher`, what only the whole assembly
 * shows: an alarm on a metric that a function of `Wrong` declares but whose code never writes it
 * (the nag pack sees no emitter in `Watcher`; `check` finds the emitter and reads its bundle), and
 * a mapping invoking `Wrong`'s consumer, which has no dead-letter path (an import `check` follows).
 */
export function buildWrongApp(app: App): { wrong: Stack; watcher: Stack } {
  const wrong = new Stack(app, 'Wrong');
  const alarms = new sns.Topic(wrong, 'Alarms');
  const action = new SnsAction(alarms);

  // A consumer whose mapping names no group and whose function has nowhere to put a poison record.
  const consumer = recorderFunction(wrong, 'Consumer');
  new lambda.CfnEventSourceMapping(wrong, 'NoGroupMapping', { functionName: consumer.functionName, eventSourceArn: CLUSTER_ARN, topics: ['orders'], startingPosition: 'TRIM_HORIZON' });
  // An on-demand mapping asking for partial batch responses (provisioned pollers only); it has a group and a destination.
  new lambda.CfnEventSourceMapping(wrong, 'ProvisionedOnlyMapping', {
    functionName: recorderFunction(wrong, 'Other', { environment: { DEAD_LETTER_TOPIC: 'orders.dlt' } }).functionName,
    eventSourceArn: CLUSTER_ARN,
    topics: ['orders'],
    startingPosition: 'TRIM_HORIZON',
    amazonManagedKafkaEventSourceConfig: { consumerGroupId: 'wrong-other' },
    functionResponseTypes: ['ReportBatchItemFailures'],
  });
  recorderFunction(wrong, 'ArnOnlyFunction', { environment: { KAFKA_CLUSTER_ARN: CLUSTER_ARN } });

  new msk.CfnCluster(wrong, 'OpenCluster', {
    clusterName: 'open',
    kafkaVersion: '3.9.x',
    numberOfBrokerNodes: 2,
    brokerNodeGroupInfo: { clientSubnets: ['subnet-0a1b2c3d4e5f60711', 'subnet-0a1b2c3d4e5f60722'], instanceType: 'kafka.t3.small' },
    clientAuthentication: { unauthenticated: { enabled: true } },
    encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS_PLAINTEXT', inCluster: true } },
  });

  const api = new apigwv2.HttpApi(wrong, 'Api');
  api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Orders', consumer) });
  new apigwv2.CfnStage(wrong, 'RestFormatStage', {
    apiId: api.apiId,
    stageName: 'logs',
    accessLogSettings: { destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:api', format: apigw.AccessLogFormat.jsonWithStandardFields().toString() },
  });

  new cloudwatch.Alarm(wrong, 'SilentAlarm', { metric: consumer.metricErrors(), threshold: 1, evaluationPeriods: 1 });
  // A typo in the metric name: nobody writes `DeadLetterdRecords`.
  const typo = new cloudwatch.Metric({ namespace: 'MskPipelines', metricName: 'DeadLetterdRecords', dimensionsMap: { service: 'billing' }, statistic: 'Sum', period: Duration.minutes(1) });
  typo.createAlarm(wrong, 'TypoAlarm', { threshold: 1, evaluationPeriods: 1 }).addAlarmAction(action);

  // `Consumer` declares a metric its code (the recorder) never writes; `Other` one that nobody watches.
  declareMetrics(consumer, [{ namespace: 'Shop', metricName: 'OrdersPlaced', dimensions: {} }]);

  const watcher = new Stack(app, 'Watcher');
  const watcherTopic = new sns.Topic(watcher, 'Alarms');
  new cloudwatch.Metric({ namespace: 'Shop', metricName: 'OrdersPlaced', statistic: 'Sum', period: Duration.minutes(1) })
    .createAlarm(watcher, 'CrossStackAlarm', { threshold: 1, evaluationPeriods: 1 })
    .addAlarmAction(new SnsAction(watcherTopic));
  // A mapping whose function (with no dead-letter path) is in `Wrong`: an import only `check` follows.
  new lambda.CfnEventSourceMapping(watcher, 'CrossStackMapping', {
    functionName: consumer.functionName, eventSourceArn: CLUSTER_ARN, topics: ['orders'], startingPosition: 'TRIM_HORIZON',
    amazonManagedKafkaEventSourceConfig: { consumerGroupId: 'watcher-orders' },
  });
  return { wrong, watcher };
}

/** The same kinds of resources built with the library's constructs: no rule is broken. */
export function buildRightApp(app: App): Stack {
  const stack = new Stack(app, 'Right');
  const action = new SnsAction(new sns.Topic(stack, 'Alarms'));
  const cluster = new KafkaCluster(stack, 'Cluster');
  const topic = new KafkaTopic(stack, 'Orders', { cluster, topicName: 'orders' });
  const billing = new KafkaConsumer(stack, 'Billing', { cluster, topic, entry: lambdaEntry('examples/audit-log'), alarmAction: action });
  const api = new apigwv2.HttpApi(stack, 'Api', { createDefaultStage: false });
  api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Orders', billing.function), authorizer: new HttpIamAuthorizer() });
  new apigwv2.CfnStage(stack, 'Stage', {
    apiId: api.apiId,
    stageName: '$default',
    autoDeploy: true,
    accessLogSettings: { destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:api', format: httpApiAccessLogFormat().toString() },
  });
  return stack;
}
