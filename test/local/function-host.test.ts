import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FunctionHost, type InvokeResult } from '../../lib/local/emulator/function-host';
import type { FunctionModel } from '../../lib/local/emulator/model';

/**
 * The init phase of an emulated function, as Lambda has it for on-demand functions: module
 * loading has its own limit and is not counted against the function's timeout.
 * A real worker thread runs a function whose module spends INIT_MS of CPU before it exports its handler.
 */
describe('FunctionHost: init phase', () => {
  const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slow-init-'));
  const hosts: FunctionHost[] = [];
  beforeAll(() => {
    fs.writeFileSync(
      path.join(codeDir, 'index.js'),
      [
        "if (process.env.INIT_THROWS) throw new TypeError('config missing');",
        'const until = Date.now() + Number(process.env.INIT_MS);',
        'while (Date.now() < until) { /* static initialisation that takes time */ }',
        'let calls = 0;',
        'exports.handler = async () => ({ calls: ++calls });',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    fs.rmSync(codeDir, { recursive: true, force: true });
  });

  const host = (env: Record<string, string>, timeoutSeconds: number, initPhaseLimitMs?: number) => {
    const model: FunctionModel = {
      name: 'slow-init', logicalId: 'SlowInit', stack: 'Test', arn: 'arn:aws:lambda:us-east-1:123456789012:function:slow-init',
      codeDir, handler: 'index.handler', runtime: 'nodejs22.x', timeout: timeoutSeconds, memorySize: 128, environment: env,
    };
    const logs: string[] = [];
    const h = new FunctionHost(model, { onLog: (line) => void logs.push(line), initPhaseLimitMs });
    hosts.push(h);
    return { h, logs };
  };

  test('GIVEN module loading longer than the function timeout but within the init limit WHEN invoked cold THEN it succeeds and the init is reported apart', async () => {
    // GIVEN 1.5 s of static initialisation and a 1 s timeout
    const { h } = host({ INIT_MS: '1500' }, 1);
    // WHEN
    const cold = await h.invoke({});
    const warm = await h.invoke({});
    // THEN
    expect(cold).toMatchObject({ outcome: 'succeeded', result: { calls: 1 }, coldStart: true });
    expect(cold.initDurationMs).toBeGreaterThanOrEqual(1500);
    expect(warm).toMatchObject({ outcome: 'succeeded', result: { calls: 2 }, coldStart: false });
    expect(warm.initDurationMs).toBeUndefined();
  });

  test('GIVEN ten concurrent first invocations of a slow-loading function THEN each environment inits apart from the timeout and all succeed', async () => {
    const { h } = host({ INIT_MS: '1200' }, 1);
    const results: InvokeResult[] = await Promise.all(Array.from({ length: 10 }, () => h.invoke({})));
    expect(results.map((r) => r.outcome)).toEqual(Array(10).fill('succeeded'));
  });

  test('GIVEN an init past the init limit WHEN invoked THEN the init is retried within the invocation, counted against the timeout', async () => {
    // GIVEN init 800 ms against a 300 ms init limit (10 s on Lambda), timeout 3 s
    const { h, logs } = host({ INIT_MS: '800' }, 3, 300);
    // WHEN
    const res = await h.invoke({});
    // THEN the init timed out once, then ran again inside the invoke phase and the call succeeded
    expect(res).toMatchObject({ outcome: 'succeeded', result: { calls: 1 }, coldStart: true });
    expect(res.end - res.start).toBeGreaterThanOrEqual(800);
    expect(logs).toContain('[slow-init] INIT_REPORT Init Duration: 300.00 ms\tPhase: init\tStatus: timeout');
  });

  test('GIVEN an init past the init limit and longer than the timeout THEN the invocation times out', async () => {
    const { h } = host({ INIT_MS: '1500' }, 1, 300);
    const res = await h.invoke({});
    expect(res).toMatchObject({ outcome: 'timed-out', error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' } });
  });

  test('GIVEN static code that throws WHEN invoked THEN the invocation fails with that error and the next one starts cold again', async () => {
    const { h, logs } = host({ INIT_MS: '0', INIT_THROWS: '1' }, 1);
    const first = await h.invoke({});
    const second = await h.invoke({});
    expect(first).toMatchObject({ outcome: 'failed', coldStart: true, error: { errorType: 'TypeError', errorMessage: 'config missing' } });
    expect(second).toMatchObject({ outcome: 'failed', coldStart: true });
    expect(logs.filter((l) => l.includes('Phase: init\tStatus: error\tError Type: TypeError'))).toHaveLength(2);
    expect(h.environments).toBe(0);
  });
});

/**
 * What a bundle may leave outside itself, as on Lambda: the AWS SDK v3 (the runtime provides it)
 * and what the function's own node_modules holds; nothing else, even though the code directory
 * lies inside this project, whose node_modules has every package.
 */
describe('FunctionHost: modules outside the bundle', () => {
  const cacheDir = path.join(__dirname, '..', '..', '.cache');
  fs.mkdirSync(cacheDir, { recursive: true });
  const codeDir = fs.mkdtempSync(path.join(cacheDir, 'outside-bundle-'));
  const hosts: FunctionHost[] = [];
  beforeAll(() => {
    const write = (file: string, lines: string[]) => {
      fs.mkdirSync(path.dirname(path.join(codeDir, file)), { recursive: true });
      fs.writeFileSync(path.join(codeDir, file), lines.join('\n'));
    };
    write('sdk.js', ["const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');", 'exports.handler = async () => typeof DynamoDBClient;']);
    write('unbundled.js', ["const { Kafka } = require('kafkajs');", 'exports.handler = async () => typeof Kafka;']);
    write('own.js', ["const own = require('own-lib');", 'exports.handler = async () => own.name;']);
    write('node_modules/own-lib/index.js', ["exports.name = 'own-lib';"]);
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    fs.rmSync(codeDir, { recursive: true, force: true });
  });

  const invoke = (file: string) => {
    const model: FunctionModel = {
      name: file, logicalId: 'Fn', stack: 'Test', arn: `arn:aws:lambda:us-east-1:123456789012:function:${file}`,
      codeDir, handler: `${file}.handler`, runtime: 'nodejs22.x', timeout: 30, memorySize: 128, environment: {},
    };
    const h = new FunctionHost(model);
    hosts.push(h);
    return h.invoke({});
  };

  test('GIVEN a bundle that requires the AWS SDK WHEN invoked THEN the SDK resolves, as the runtime provides it', async () => {
    expect(await invoke('sdk')).toMatchObject({ outcome: 'succeeded', result: 'function' });
  });

  test('GIVEN a bundle that requires a package it did not bundle WHEN invoked THEN the init phase fails naming it, as on Lambda', async () => {
    const result = await invoke('unbundled');
    expect(result.outcome).toBe('failed');
    expect(result.error?.errorMessage).toMatch(/^Cannot find module 'kafkajs': it is neither in the bundle nor in the function's node_modules, and Lambda's Node\.js runtime provides only @aws-sdk\//);
  });

  test('GIVEN a package in the function\'s own node_modules (bundling.nodeModules) WHEN invoked THEN it resolves', async () => {
    expect(await invoke('own')).toMatchObject({ outcome: 'succeeded', result: 'own-lib' });
  });
});
