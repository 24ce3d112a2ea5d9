import * as fs from 'fs';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Emulator } from '../../lib/local/emulator';
import { signedPost } from '../../lib/local/scenarios/signed-post';
import { dynamoDbClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { recorderFunction } from './fixtures/emulator-app';

/** The emulator's HTTP API routes, schedules and tables, from a synthesized app. */
describe('emulator: HTTP API, schedules, tables', () => {
  const id = uniqueName('emuh');
  const tableName = `${id}-joins`;
  let emulator: Emulator;
  let dir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dir = synthToDir((app) => {
      const stack = new Stack(app, `Http${id.replace(/[^A-Za-z0-9]/g, '')}`);
      const table = new dynamodb.Table(stack, 'Joins', {
        tableName,
        partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
        timeToLiveAttribute: 'expiration',
      });
      table.addGlobalSecondaryIndex({ indexName: 'byRun', partitionKey: { name: 'runId', type: dynamodb.AttributeType.STRING } });
      const gateway = recorderFunction(stack, 'Gateway', { environment: { TABLE_NAME: table.tableName } });
      const api = new apigwv2.HttpApi(stack, 'Api');
      api.addRoutes({ path: '/callbacks/{provider}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Callbacks', gateway) });
      api.addRoutes({ path: '/files/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration: new HttpLambdaIntegration('Files', gateway) });
      api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Orders', gateway), authorizer: new HttpIamAuthorizer() });
      const caller = recorderFunction(stack, 'Caller', { environment: { NOTIFY_URL: `${api.apiEndpoint}/callbacks/simulated` } });
      new scheduler.CfnSchedule(stack, 'Nightly', {
        name: `${id}-nightly`, scheduleExpression: 'cron(0 2 * * ? *)', flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: caller.functionArn, roleArn: 'arn:aws:iam::123456789012:role/x', input: JSON.stringify({ type: 'run.requested', runid: '2026-11-24' }) },
      });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: (line) => logs.push(line) });
  });

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a route with IAM authorization WHEN called unsigned THEN 403 before the function runs; WHEN signed THEN the function gets the caller', async () => {
    const url = `${emulator.httpUrl}/orders`;
    const before = emulator.invocations.length;
    // WHEN unsigned
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amount":1}' });
    // THEN
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(emulator.invocations.length).toBe(before);
    // WHEN signed (SigV4, the local dummy credentials)
    const signed = await signedPost(url, { amount: 1 });
    // THEN
    expect(signed.status).toBe(200);
    // The function's log line can arrive after its answer (worker output is asynchronous).
    const event = await waitFor(() => logs.filter((l) => l.includes('EVENT ')).map((l) => JSON.parse(l.slice(l.indexOf('EVENT ') + 6))).find((e) => e.routeKey === 'POST /orders'), { description: 'the POST /orders event in the function log' });
    expect(event.requestContext.authorizer).toEqual({ iam: expect.objectContaining({ accessKey: 'local' }) });
  });

  test('creates the tables with their keys, indexes and TTL', async () => {
    const client = dynamoDbClient();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['byRun']);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiration');
    client.destroy();
  });

  test('serves a route with a payload 2.0 event and maps the result', async () => {
    const res = await fetch(`${emulator.httpUrl}/callbacks/wechat?x=1`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-count')).toBeDefined();
    const body = await res.json() as any;
    expect(body).toMatchObject({ path: '/callbacks/wechat', params: { provider: 'wechat' }, body: '{"a":1}' });
    expect(emulator.invocations.at(-1)).toMatchObject({ trigger: 'http', outcome: 'succeeded' });
  });

  test('greedy path parameters take the rest of the path', async () => {
    const res = await fetch(`${emulator.httpUrl}/files/a/b/c.png`);
    expect(((await res.json()) as any).params).toEqual({ proxy: 'a/b/c.png' });
  });

  test('an unknown route or a method without a route is 404 Not Found, as on API Gateway', async () => {
    const unknown = await fetch(`${emulator.httpUrl}/nothing`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Not Found' });
    const wrongMethod = await fetch(`${emulator.httpUrl}/callbacks/wechat`, { method: 'GET' });
    expect(wrongMethod.status).toBe(404);
  });

  test('a body over 10 MB is 413', async () => {
    const res = await fetch(`${emulator.httpUrl}/callbacks/wechat`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    expect(res.status).toBe(413);
  });

  test('a schedule can be triggered: its target gets the Input, and ApiEndpoint references resolve to the local URL', async () => {
    expect(emulator.schedules.map((s) => s.name)).toEqual([`${id}-nightly`]);
    const res = await emulator.triggerSchedule(`${id}-nightly`);
    expect(res.outcome).toBe('succeeded');
    expect((res.result as any).env.notify).toBe(`${emulator.httpUrl}/callbacks/simulated`);
  });
});
