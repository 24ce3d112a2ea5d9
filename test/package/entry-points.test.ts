import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as constructs from 'msk-event-pipelines';
import * as local from 'msk-event-pipelines/local';
import * as runtime from 'msk-event-pipelines/runtime';

/**
 * The package's public entry points, imported by the package name as a user's code imports
 * them (package.json `exports`; jest and TypeScript's node16 resolution follow it). The
 * TypeScript `node10` resolution and running under tsx are in typescript-user.test.ts.
 */
describe('entry points by package name', () => {
  test('GIVEN msk-event-pipelines/runtime THEN it exports the documented runtime, and a record it builds decodes back to the event', () => {
    // THEN the named surface, and nothing by accident (no resetKafka, sendRaw, kafkaLogCreator…)
    expect(Object.keys(runtime).sort()).toEqual([
      'CLOUDEVENTS_CONTENT_TYPE', 'ChainEventType', 'IDEMPOTENCY_TABLE_KEYS', 'IdempotencyAlreadyInProgressError', 'InvalidEventError', 'MalformedKafkaEventError', 'closeProducer',
      'createEvent', 'decodeEvent', 'decodeKafkaEvent', 'defineTask', 'eventMessage', 'getDocumentClient', 'headerValue', 'kafkaRecordHandler', 'logger', 'onceByEventId', 'publish',
      'updateOncePerEvent', 'writeOncePerEvent', 'writeOncePerKey',
    ]);
    // AND it works: createEvent → eventMessage → decodeEvent
    const event = runtime.createEvent({ type: 'order.placed', source: 'urn:shop', subject: 'o-1', data: { total: 3 } });
    const message = runtime.eventMessage(event);
    expect(message.headers).toEqual({ 'content-type': runtime.CLOUDEVENTS_CONTENT_TYPE });
    expect(runtime.decodeEvent(message.value as Buffer)).toEqual(event);
  });

  test('GIVEN msk-event-pipelines THEN its constructs build a stack, and the example app is not part of it', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'User');
    const cluster = new constructs.KafkaCluster(stack, 'Cluster');
    new constructs.TaskChain(stack, 'Chain', { cluster, chainName: 'user', tasks: [{ name: 'a', entry: path.join(__dirname, '..', '..', 'lambdas', 'examples', 'chain-tasks', 'sleep.ts') }] });
    Template.fromStack(stack).hasResourceProperties('AWS::MSK::Topic', { TopicName: 'chain.user.events' });
    expect(Object.keys(constructs)).toEqual(expect.arrayContaining(['KafkaCluster', 'KafkaTopic', 'KafkaConsumer', 'TaskChain', 'FanoutTopic', 'CallbackGateway', 'ChainClient', 'LatencyProfile']));
    expect(Object.keys(constructs).filter((k) => /Stack$|^buildApp$|^NIGHTLY_CHAIN$|^nagFindings$/.test(k))).toEqual([]);
  });

  test('GIVEN msk-event-pipelines THEN helpers are not public: each area index names its exports (STYLE §2.2)', () => {
    const helpers = [
      'versionSupportsTopicResource', 'defaultBatchingWindow', 'KAFKA_TOPIC_RESOURCE_TYPE', 'MSK_IAM_PORT', 'timelineText', 'statusTable', 'dateRange',
      'lambdaEntry', 'PROJECT_ROOT', 'mergeBundling', 'grantTopicProduce', 'grantTopicConsume', 'validateTopicName', 'mskResourceArn', 'ImportedKafkaTopic',
    ];
    expect(Object.keys(constructs).filter((k) => helpers.includes(k))).toEqual([]);
    expect(Object.keys(constructs)).toEqual(expect.arrayContaining(['KafkaTopicBase', 'createFunction', 'defaultFunctionProps']));
  });

  test('GIVEN msk-event-pipelines/local THEN it exports the emulator, the services and synthesis, and synthesizeApp explains a missing app', () => {
    expect(Object.keys(local).sort()).toEqual(['Emulator', 'LocalServices', 'LocalServicesError', 'assemblyIsCurrent', 'silenceSdkNodeWarning', 'synthesizeApp']);
    expect(typeof local.Emulator.start).toBe('function');
    expect(typeof local.Emulator.prototype.waitForIdle).toBe('function');
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-app-'));
    expect(() => local.synthesizeApp(empty)).toThrow(`no cdk.json in ${empty}: give the CDK app directory (--app-dir)`);
    fs.rmSync(empty, { recursive: true });
  });
});
