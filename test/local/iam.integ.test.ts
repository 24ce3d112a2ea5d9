import * as fs from 'fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Emulator } from '../../lib/local/emulator';
import { serviceEndpoints } from '../support/services';
import { synthToDir } from '../support/synth';
import type { IamCall } from './fixtures/functions/iam-caller';
import { buildIamApp } from './iam-app';

type CallResult = { ok: boolean; name?: string; status?: number; message?: string };

/**
 * IAM enforcement at run time (lib/local/iam, lib/local/aws-front): each function's DynamoDB,
 * Secrets Manager and SQS calls, signed by the SDK with the function's own credentials, are
 * evaluated against its role's policies, and a denied call gets AWS's AccessDeniedException.
 */
describe('emulator: IAM enforcement', () => {
  let dir: string;
  let emulator: Emulator;
  const fn = (e: Emulator, logical: string) => e.functions.find((f) => f.logicalId.startsWith(logical))!;
  const call = async (e: Emulator, logical: string, which: IamCall): Promise<CallResult> => {
    const r = await e.invoke(fn(e, logical).name, { call: which });
    if (r.outcome !== 'succeeded') throw new Error(JSON.stringify(r.error));
    return r.result as CallResult;
  };
  /** What AWS says when no identity-based policy of the function's role allows `action` on `resource`. */
  const denial = (logical: string, action: string, resource: string) => {
    const f = fn(emulator, logical);
    const role = Object.keys(emulator.assembly.stacks[0].resources).find((id) => id.startsWith(`${logical}ServiceRole`))!;
    return `User: arn:aws:sts::000000000000:assumed-role/Iam-${role}/${f.name} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
  };
  const tableArn = (logical: string) => `arn:aws:dynamodb:eu-west-1:000000000000:table/${emulator.tables.find((t) => t.logicalId.startsWith(logical))!.name}`;

  beforeAll(async () => {
    dir = synthToDir((app) => buildIamApp(app));
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
  }, 180_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a function whose role lacks dynamodb:PutItem on a table WHEN it puts an item THEN DynamoDB answers AccessDeniedException, HTTP 400, worded as AWS words it', async () => {
    // WHEN
    const result = await call(emulator, 'Wrong', 'put-a');
    // THEN
    expect(result).toEqual({ ok: false, name: 'AccessDeniedException', status: 400, message: denial('Wrong', 'dynamodb:PutItem', tableArn('TableA')) });
  });

  test('GIVEN a transaction writing a granted table and an ungranted one WHEN it runs THEN it is denied on the ungranted table, and nothing is written', async () => {
    // GIVEN (DynamoDB Local keeps its tables between runs: count what is there already)
    const dynamodb = new DynamoDBClient({ endpoint: serviceEndpoints().dynamodbEndpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const tableB = emulator.tables.find((t) => t.logicalId.startsWith('TableB'))!.name;
    const itemsOfB = async () => (await dynamodb.send(new ScanCommand({ TableName: tableB }))).Count;
    try {
      const before = await itemsOfB();
      // WHEN
      const result = await call(emulator, 'Wrong', 'transact-b-and-a');
      // THEN
      expect(result).toEqual({ ok: false, name: 'AccessDeniedException', status: 400, message: denial('Wrong', 'dynamodb:PutItem', tableArn('TableA')) });
      expect(await itemsOfB()).toBe(before);
    } finally {
      dynamodb.destroy();
    }
  });

  test('GIVEN a function not granted the secret WHEN it reads it THEN Secrets Manager answers AccessDeniedException, HTTP 400', async () => {
    const result = await call(emulator, 'Wrong', 'secret');
    const secret = emulator.secrets.list()[0];
    expect(result).toEqual({ ok: false, name: 'AccessDeniedException', status: 400, message: denial('Wrong', 'secretsmanager:GetSecretValue', secret.arn) });
  });

  test('GIVEN a function not granted the queue WHEN it sends a message THEN SQS answers AccessDenied, HTTP 403, naming the action in lower case as SQS does', async () => {
    const result = await call(emulator, 'Wrong', 'sqs');
    const queueArn = `arn:aws:sqs:eu-west-1:000000000000:${emulator.assembly.stacks[0].name}-${Object.keys(emulator.assembly.stacks[0].resources).find((id) => id.startsWith('Queue') && !id.includes('Policy'))}`;
    expect(result).toEqual({ ok: false, name: 'AccessDenied', status: 403, message: denial('Wrong', 'sqs:sendmessage', queueArn) });
  });

  test('GIVEN the control function granted the table, the secret and the queue WHEN it makes the same calls THEN each passes', async () => {
    for (const which of ['put-a', 'secret', 'sqs'] as const) {
      expect({ which, ...(await call(emulator, 'Granted', which)) }).toEqual({ which, ok: true });
    }
  });

  test('GIVEN IAM enforcement off WHEN the wrong function puts and sends THEN the stand-ins take the calls', async () => {
    const open = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, enforceIam: false });
    try {
      expect(await call(open, 'Wrong', 'put-a')).toEqual({ ok: true });
      expect(await call(open, 'Wrong', 'sqs')).toEqual({ ok: true });
    } finally {
      await open.stop();
    }
  }, 120_000);
});
