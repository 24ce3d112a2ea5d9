import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Emulator } from '../../lib/local/emulator';
import { serviceEndpoints, uniqueName } from '../support/services';
import { synthToDir } from '../support/synth';
import { recorderFunction } from './fixtures/emulator-app';

/**
 * HTTP APIs of different stacks that share a logical id (`new HttpApi(this, 'Api')` at each
 * stack's root, as in the example app): each is its own server with its own routes.
 */
describe('emulator: HTTP APIs of several stacks with the same logical id', () => {
  const id = uniqueName('emus').replace(/[^A-Za-z0-9]/g, '');
  const stacks = { one: `One${id}`, two: `Two${id}` };
  let emulator: Emulator;
  let dir: string;
  let apiId: string;
  const post = (base: string, path: string) => fetch(`${base}${path}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });

  beforeAll(async () => {
    // GIVEN two stacks, each with an API of the same logical id, the same route to its own
    // function, and a function given its own API's endpoint; one stack has one more route
    dir = synthToDir((app) => {
      for (const [tag, name] of Object.entries(stacks)) {
        const stack = new Stack(app, name);
        const api = new apigwv2.HttpApi(stack, 'Api');
        api.addRoutes({ path: '/items/{id}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Items', recorderFunction(stack, 'Items', { tag })) });
        if (tag === 'one') api.addRoutes({ path: '/only-one', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Only', recorderFunction(stack, 'Only', { tag })) });
        recorderFunction(stack, 'Caller', { tag, environment: { NOTIFY_URL: `${api.apiEndpoint}/items/from-${tag}` } });
      }
    });
    // WHEN both stacks are emulated
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
    apiId = emulator.assembly.apis[0].logicalId;
  });

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const urlOf = (stack: string) => emulator.httpUrlFor(`${stack}/${apiId}`);

  test('each API has its own server, named by stack and logical id', () => {
    expect(emulator.assembly.apis.map((a) => a.logicalId)).toEqual([apiId, apiId]);
    expect(Object.keys(emulator.httpUrls).sort()).toEqual([`${stacks.one}/${apiId}`, `${stacks.two}/${apiId}`].sort());
    for (const stack of Object.values(stacks)) expect(emulator.httpUrls[`${stack}/${apiId}`]).toBe(urlOf(stack));
    expect(urlOf(stacks.one)).not.toBe(urlOf(stacks.two));
    for (const route of emulator.assembly.routes) expect(emulator.httpUrlOf(route)).toBe(urlOf(route.stack));
  });

  test('the same route reaches each stack\'s own function', async () => {
    // THEN
    for (const [tag, stack] of Object.entries(stacks)) {
      const res = await post(urlOf(stack), `/items/${tag}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ tag, params: { id: tag } });
      const fn = emulator.functions.find((f) => f.stack === stack && f.logicalId.startsWith('Items'))!;
      expect(emulator.invocations.at(-1)).toMatchObject({ trigger: 'http', functionName: fn.name, outcome: 'succeeded' });
    }
  });

  test('a route of one stack is not served by the other stack\'s API', async () => {
    expect((await post(urlOf(stacks.one), '/only-one')).status).toBe(200);
    const other = await post(urlOf(stacks.two), '/only-one');
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'Not Found' });
  });

  test('each stack\'s ApiEndpoint resolves to its own server', async () => {
    for (const [tag, stack] of Object.entries(stacks)) {
      const caller = emulator.functions.find((f) => f.stack === stack && f.logicalId.startsWith('Caller'))!;
      const notify = ((await emulator.invoke(caller.name, {})).result as { env: { notify: string } }).env.notify;
      expect(notify).toBe(`${urlOf(stack)}/items/from-${tag}`);
      // and calling it reaches that stack's function
      expect(await (await post(notify, '')).json()).toMatchObject({ tag, params: { id: `from-${tag}` } });
    }
  });

  test('a bare logical id that several stacks share is refused, naming the keys to use', () => {
    expect(() => emulator.httpUrlFor(apiId)).toThrow(`HTTP API '${apiId}' is ambiguous: stacks ${stacks.one}, ${stacks.two} each have an API '${apiId}'; use httpUrlFor('${stacks.one}/${apiId}') or httpUrlFor('${stacks.two}/${apiId}') (RouteModel.api)`);
    // the deprecated record refuses it too
    expect(() => emulator.httpUrls[apiId]).toThrow(/is ambiguous/);
  });

  test('an unknown key is refused, naming the known keys', () => {
    expect(() => emulator.httpUrlFor(`${stacks.one}/Nope`)).toThrow(`No HTTP API '${stacks.one}/Nope': the keys are <stack>/<logical id> (RouteModel.api), known: ${stacks.one}/${apiId}, ${stacks.two}/${apiId}`);
  });

  test('stop() closes every server', async () => {
    const urls = emulator.assembly.apis.map((a) => emulator.httpUrlFor(a.key));
    expect(urls).toHaveLength(2);
    await emulator.stop();
    for (const url of urls) await expect(fetch(`${url}/items/x`, { method: 'POST' })).rejects.toThrow(/fetch failed/);
  });
});
