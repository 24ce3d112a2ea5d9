import * as fs from 'fs';
import { Emulator } from '../../lib/local/emulator';
import { serviceEndpoints } from '../support/services';
import { synthToDir } from '../support/synth';
import { buildNetworkApp } from '../checks/network-apps';

/**
 * Network enforcement at run time, on the app `check` reports (test/checks/network.test.ts): the
 * calls AWS would let hang fail at once, naming the function, the service and what is missing.
 */
describe('emulator: network enforcement', () => {
  let dir: string;
  let emulator: Emulator;
  const call = async (logical: string, event: Record<string, unknown>) => {
    const fn = emulator.functions.find((f) => f.logicalId.startsWith(logical))!;
    const r = await emulator.invoke(fn.name, event);
    if (r.outcome !== 'succeeded') throw new Error(JSON.stringify(r.error));
    return r.result as { ok: boolean; name?: string; message?: string };
  };

  beforeAll(async () => {
    dir = synthToDir((app) => buildNetworkApp(app), { 'aws:cdk:enable-path-metadata': true });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
  }, 180_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a function in isolated subnets without an SQS endpoint WHEN it sends to SQS THEN the call fails at once, naming the function, the service and the missing endpoint or NAT', async () => {
    // WHEN
    const result = await call('IsolatedSqs', { call: 'sqs' });
    // THEN
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Network: Net-IsolatedSqs[0-9A-F]{8} cannot connect to sqs \(the local stand-in of its endpoint\) \(http:\/\/127\.0\.0\.1:\d+\): function Net\/IsolatedSqs cannot reach sqs: its VPC Net\/Cluster\/Network\/Vpc has no endpoint com\.amazonaws\.<region>\.sqs and function Net\/IsolatedSqs runs in subnets without a NAT gateway route .*Local mode refuses the connection at once; on AWS it would hang until the function times out\.$/);
  });

  test('GIVEN a Kafka client function outside any VPC WHEN it publishes THEN it cannot connect to the brokers, and says why', async () => {
    const result = await call('OutsideVpc', { call: 'kafka' });
    expect(result.ok).toBe(false);
    expect(result.message).toContain('cannot connect to the Kafka brokers');
    expect(result.message).toContain('function Net/OutsideVpc is not in a VPC: it cannot reach the brokers of Net/Cluster');
  });

  test('GIVEN the control function in the cluster\'s subnets and client security group THEN it writes to DynamoDB and Kafka, and cannot call the public HTTP API', async () => {
    expect(await call('Inside', { call: 'dynamodb' })).toEqual({ ok: true });
    expect(await call('Inside', { call: 'kafka' })).toEqual({ ok: true });
    const http = await call('Inside', { call: 'http', url: `${emulator.httpUrl}/jobs` });
    expect(http.ok).toBe(false);
    expect(http.message).toContain('cannot connect to a public endpoint');
    expect(http.message).toContain('runs in subnets without a NAT gateway route');
  });

  test('GIVEN network enforcement off WHEN the isolated function sends to SQS THEN the local stand-in takes it', async () => {
    const open = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, enforceNetwork: false });
    try {
      const fn = open.functions.find((f) => f.logicalId.startsWith('IsolatedSqs'))!;
      expect((await open.invoke(fn.name, { call: 'sqs' })).result).toEqual({ ok: true });
    } finally {
      await open.stop();
    }
  });
});
