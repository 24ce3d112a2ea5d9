import * as fs from 'fs';
import * as path from 'path';
import { CfnOutput, CfnResource, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE, SASL_IAM_BROKERS_FIELD } from '../../lib/cluster/bootstrap-brokers';
import { findFunction, loadAssembly } from '../../lib/local/emulator';
import { accessKeyIdOf, LOCAL_VARIABLES } from '../../lib/local/emulator/environment';
import { synthToDir } from '../support/synth';
import { CLUSTER_ARN, kafkaMapping, kafkaTopic, recorderFunction } from './fixtures/emulator-app';

const LOCAL = { kafkaBrokers: '127.0.0.1:9999', dynamodbEndpoint: 'http://127.0.0.1:8888', apiUrls: { Api: 'http://127.0.0.1:7777' } };

describe('emulator assembly reader', () => {
  let dir: string;

  beforeAll(() => {
    // GIVEN an app of two stacks: shared resources exported, and functions that import them
    dir = synthToDir((app) => {
      const shared = new Stack(app, 'Shared', { env: { region: 'eu-west-1', account: '123456789012' } });
      const table = new dynamodb.Table(shared, 'Joins', {
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'task', type: dynamodb.AttributeType.STRING },
        timeToLiveAttribute: 'expiration',
      });
      table.addGlobalSecondaryIndex({ indexName: 'byRun', partitionKey: { name: 'runId', type: dynamodb.AttributeType.STRING } });
      new CfnOutput(shared, 'TableName', { value: table.tableName, exportName: 'SharedJoinsTable' });
      const cluster = new CfnResource(shared, 'Cluster', { type: 'AWS::MSK::Cluster', properties: { ClusterName: 'demo' } });
      new CfnOutput(shared, 'ClusterArn', { value: cluster.ref, exportName: 'SharedClusterArn' });
      // The deploy-time broker lookup, read by another stack through a weak reference (no export).
      const brokers = new CfnResource(shared, 'Brokers', { type: KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE, properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:lookup' } });
      new CfnOutput(shared, 'BrokerList', { value: brokers.getAtt(SASL_IAM_BROKERS_FIELD).toString() });

      const stack = new Stack(app, 'Pipeline', { env: { region: 'eu-west-1', account: '123456789012' } });
      kafkaTopic(stack, 'PostsTopic', 'posts', 3, { 'retention.ms': '60000' });
      const msk = new CfnResource(stack, 'Results', { type: 'AWS::MSK::Topic', properties: { ClusterArn: CLUSTER_ARN, TopicName: 'results', PartitionCount: 2, ReplicationFactor: 3, Configs: Buffer.from('cleanup.policy=compact\n').toString('base64') } });
      const fn = recorderFunction(stack, 'Reward', {
        environment: {
          TABLE_NAME: Fn.importValue('SharedJoinsTable'),
          KAFKA_CLUSTER_ARN: Fn.importValue('SharedClusterArn'),
          TOPIC_ARN: msk.getAtt('Arn').toString(),
          IMPORTED: Fn.join('/', [Fn.importValue('SharedJoinsTable'), Stack.of(stack).region]),
        },
      });
      recorderFunction(stack, 'Publisher', {
        environment: {
          KAFKA_CLUSTER_ARN: Fn.importValue('SharedClusterArn'),
          KAFKA_BOOTSTRAP_SERVERS: Fn.getStackOutput('Shared', 'BrokerList'),
        },
      });
      kafkaMapping(stack, 'RewardMapping', fn, {
        topic: 'posts', batchSize: 50, window: 1, groupId: 'reward', destination: 'kafka://posts-dlt',
        filters: [{ value: { type: ['post.published'] } }], reportBatchItemFailures: true, maximumRetryAttempts: 3, bisect: true,
      });
      const api = new apigwv2.HttpApi(stack, 'Api');
      api.addRoutes({ path: '/callbacks/{provider}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Cb', fn) });
      new scheduler.CfnSchedule(stack, 'Nightly', {
        scheduleExpression: 'cron(0 2 * * ? *)', scheduleExpressionTimezone: 'Europe/Paris', flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: fn.functionArn, roleArn: 'arn:aws:iam::123456789012:role/x', input: JSON.stringify({ type: 'run.requested' }) },
      });
    });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads topics with partitions and configs, including implied dead-letter topics', () => {
    // WHEN
    const model = loadAssembly(dir, LOCAL);
    // THEN
    expect(model.topics).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'posts', partitions: 3, configs: { 'retention.ms': '60000' } }),
      expect.objectContaining({ name: 'results', partitions: 2, configs: { 'cleanup.policy': 'compact' } }),
      expect.objectContaining({ name: 'posts-dlt', partitions: 3 }),
    ]));
  });

  test('reads tables with keys, indexes and TTL', () => {
    const model = loadAssembly(dir, LOCAL);
    const table = model.tables.find((t) => t.logicalId.startsWith('Joins'))!;
    expect(table.keySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }, { AttributeName: 'task', KeyType: 'RANGE' }]);
    expect(table.globalSecondaryIndexes.map((g) => g.IndexName)).toEqual(['byRun']);
    expect(table.ttlAttribute).toBe('expiration');
    expect(table.name).toBe(`Shared-${table.logicalId}`); // stack-qualified, as CloudFormation names it
  });

  test('resolves function environments to local values across stacks', () => {
    const model = loadAssembly(dir, LOCAL);
    const fn = model.functions.find((f) => f.logicalId.startsWith('Reward'))!;
    const table = model.tables[0];
    expect(fn.environment).toMatchObject({
      TABLE_NAME: table.name,
      IMPORTED: `${table.name}/eu-west-1`,
      TOPIC_ARN: 'arn:aws:kafka:eu-west-1:000000000000:topic/local/local/results',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8888',
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
    });
    expect(fn.handler).toBe('index.handler');
    expect(fn.timeout).toBe(10);
    expect(require('fs').existsSync(require('path').join(fn.codeDir, 'index.js'))).toBe(true);
  });

  test('GIVEN a function WHEN read THEN its environment is exactly its template\'s, plus only the documented local variables', () => {
    // GIVEN
    const model = loadAssembly(dir, LOCAL);
    const fn = model.functions.find((f) => f.logicalId.startsWith('Reward'))!;
    const template = JSON.parse(fs.readFileSync(path.join(dir, 'Pipeline.template.json'), 'utf8'));
    const templateNames = Object.keys(template.Resources[fn.logicalId].Properties.Environment.Variables);
    // WHEN
    const added = Object.keys(fn.environment).filter((name) => !templateNames.includes(name));
    // THEN
    expect(templateNames.every((name) => name in fn.environment)).toBe(true);
    expect(added.filter((name) => !(name in LOCAL_VARIABLES))).toEqual([]);
    expect(fn.environment.KAFKA_AUTH).toBeUndefined(); // the template has none: the runtime's default applies, as on AWS
    expect(fn.environment.AWS_ACCESS_KEY_ID).toBe(accessKeyIdOf(fn.name));
  });

  test('GIVEN two functions WHEN read THEN each signs with its own access key id', () => {
    const ids = loadAssembly(dir, LOCAL).functions.map((f) => f.environment.AWS_ACCESS_KEY_ID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^ASIA[0-9A-F]{16}$/.test(id))).toBe(true);
  });

  test('GIVEN a function with only a cluster ARN WHEN read THEN it gets no brokers and an MSK API that refuses connections, as in the default VPC', () => {
    const fn = loadAssembly(dir, LOCAL).functions.find((f) => f.logicalId.startsWith('Reward'))!;
    expect(fn.environment.KAFKA_CLUSTER_ARN).toBe('arn:aws:kafka:eu-west-1:000000000000:cluster/Cluster/local');
    expect(fn.environment.KAFKA_BOOTSTRAP_SERVERS).toBeUndefined();
    expect(fn.environment.AWS_ENDPOINT_URL_KAFKA).toBe('http://127.0.0.1:9');
  });

  test('GIVEN brokers from the deploy-time lookup, read through Fn::GetStackOutput WHEN read THEN they are the local broker', () => {
    const fn = loadAssembly(dir, LOCAL).functions.find((f) => f.logicalId.startsWith('Publisher'))!;
    expect(fn.environment).toMatchObject({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9999', KAFKA_AUTH: 'none' });
    expect(fn.environment.AWS_ENDPOINT_URL_KAFKA).toBeUndefined();
  });

  test('reads the mapping settings', () => {
    const [m] = loadAssembly(dir, LOCAL).mappings;
    expect(m).toMatchObject({
      topics: ['posts'], eventSource: 'aws:kafka', eventSourceArn: CLUSTER_ARN, startingPosition: 'TRIM_HORIZON', batchSize: 50,
      batchingWindow: 1, consumerGroupId: 'reward', onFailure: { kind: 'kafka', topic: 'posts-dlt' }, reportBatchItemFailures: true,
      maximumRetryAttempts: 3, bisectBatchOnFunctionError: true, filters: [{ value: { type: ['post.published'] } }],
    });
  });

  test('reads HTTP routes and schedules with their target function', () => {
    const model = loadAssembly(dir, LOCAL);
    const fn = model.functions.find((f) => f.logicalId.startsWith('Reward'))!;
    expect(model.routes).toEqual([expect.objectContaining({ routeKey: 'POST /callbacks/{provider}', functionName: fn.name, apiLogicalId: expect.stringMatching(/^Api/) })]);
    expect(model.schedules).toEqual([expect.objectContaining({ functionName: fn.name, input: { type: 'run.requested' }, timezone: 'Europe/Paris' })]);
  });

  test('selects stacks by name', () => {
    const model = loadAssembly(dir, LOCAL, { stacks: ['Shared'] });
    expect(model.functions).toHaveLength(0);
    expect(model.tables).toHaveLength(1);
  });
});

describe('emulator assembly reader: HTTP APIs of several stacks', () => {
  let dir: string;
  const urls = { One: 'http://127.0.0.1:7001', Two: 'http://127.0.0.1:7002' };

  beforeAll(() => {
    // GIVEN two stacks whose APIs share a logical id and a route, and a third stack that adds a
    // route to the first stack's API (an imported API id)
    dir = synthToDir((app) => {
      const one = new Stack(app, 'One');
      const two = new Stack(app, 'Two');
      const apis = [one, two].map((stack) => {
        const api = new apigwv2.HttpApi(stack, 'Api');
        api.addRoutes({ path: '/items/{id}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Items', recorderFunction(stack, 'Items')) });
        recorderFunction(stack, 'Caller', { environment: { NOTIFY_URL: `${api.apiEndpoint}/items/x` } });
        return api;
      });
      const extra = new Stack(app, 'Extra');
      new apigwv2.HttpRoute(extra, 'LateRoute', {
        httpApi: apis[0],
        routeKey: apigwv2.HttpRouteKey.with('/late', apigwv2.HttpMethod.GET),
        integration: new HttpLambdaIntegration('Late', recorderFunction(extra, 'LateFn')),
      });
    });
  });

  afterAll(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const load = () => {
    const first = loadAssembly(dir, LOCAL);
    const apiUrls = Object.fromEntries(first.apis.map((a) => [a.key, urls[a.stack as keyof typeof urls]]));
    return loadAssembly(dir, { ...LOCAL, apiUrls });
  };

  test('each API is keyed by stack and logical id, and each route names its own stack\'s API', () => {
    // WHEN
    const model = load();
    // THEN
    const [a, b] = model.apis;
    expect(a.logicalId).toBe(b.logicalId);
    expect(model.apis.map((x) => x.key)).toEqual([`One/${a.logicalId}`, `Two/${a.logicalId}`]);
    const routes = model.routes.map((r) => [r.stack, r.routeKey, r.api, model.functions.find((f) => f.name === r.functionName)?.stack]);
    expect(routes).toEqual([
      ['One', 'POST /items/{id}', `One/${a.logicalId}`, 'One'],
      ['Two', 'POST /items/{id}', `Two/${a.logicalId}`, 'Two'],
      ['Extra', 'GET /late', `One/${a.logicalId}`, 'Extra'],
    ]);
  });

  test('ApiEndpoint resolves to the URL of its own stack\'s API', () => {
    const model = load();
    const notify = (stack: string) => model.functions.find((f) => f.stack === stack && f.logicalId.startsWith('Caller'))!.environment.NOTIFY_URL;
    expect([notify('One'), notify('Two')]).toEqual([`${urls.One}/items/x`, `${urls.Two}/items/x`]);
  });
});

describe('emulator assembly reader: functions by construct path', () => {
  /** A function in a construct of the stack, and one in a nested stack, as a user would find them. */
  const build = (context?: Record<string, unknown>) => synthToDir((app) => {
    for (const [k, v] of Object.entries(context ?? {})) app.node.setContext(k, v);
    const stack = new Stack(app, 'Paths');
    recorderFunction(new Construct(stack, 'Team'), 'Direct');
    recorderFunction(new NestedStack(stack, 'Inner'), 'Deep');
  });
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test.each([
    ['a plain `new App()` (no aws:cdk:path in the templates)', undefined, false],
    ['the CDK CLI and synthesizeApp (path metadata on)', { 'aws:cdk:enable-path-metadata': true }, true],
  ])('GIVEN an assembly from %s THEN functions are found by construct path, of the function or of its resource', (_how, context, inTemplate) => {
    // GIVEN
    const dir = build(context);
    dirs.push(dir);
    const template = fs.readFileSync(path.join(dir, 'Paths.template.json'), 'utf8');
    expect(template.includes('aws:cdk:path')).toBe(inTemplate);
    // WHEN
    const { functions } = loadAssembly(dir, LOCAL);
    const find = (p: string) => findFunction(functions, p)?.logicalId;
    // THEN
    const direct = functions.find((f) => f.logicalId.startsWith('TeamDirect'))!;
    const deep = functions.find((f) => f.logicalId.startsWith('Deep'))!;
    expect([direct.path, deep.path]).toEqual(['Paths/Team/Direct/Resource', 'Paths/Inner/Deep/Resource']);
    expect([find('Paths/Team/Direct'), find('Paths/Team/Direct/Resource'), find('/Paths/Team/Direct')]).toEqual([direct.logicalId, direct.logicalId, direct.logicalId]);
    expect(find('Paths/Inner/Deep')).toBe(deep.logicalId);
    expect(find('Paths/Team/Nope')).toBeUndefined();
  });
});
