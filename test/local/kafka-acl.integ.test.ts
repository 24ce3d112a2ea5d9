import * as fs from 'fs';
import { Emulator } from '../../lib/local/emulator';
import { kafkaClient, serviceEndpoints, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { ACL_TOPICS, buildKafkaAclApp } from './kafka-acl-app';

type CallResult = { ok: boolean; name?: string; type?: string; message?: string };

/**
 * Kafka authorization at run time (lib/local/kafka-acl): functions that authenticate with IAM, and
 * the pollers of mappings on MSK, are their own principal on the broker's SASL_SSL listener, held
 * to the Kafka ACLs their role's `kafka-cluster:*` grants amount to.
 */
describe('emulator: Kafka ACLs from the roles', () => {
  let dir: string;
  let emulator: Emulator;
  const lines: string[] = [];
  const fnName = (e: Emulator, logical: string) => e.functions.find((f) => f.logicalId.startsWith(logical))!.name;
  const publishAs = async (e: Emulator, topic: string): Promise<CallResult> => {
    const r = await e.invoke(fnName(e, 'Publisher'), { topic });
    if (r.outcome !== 'succeeded') throw new Error(JSON.stringify(r.error));
    return r.result as CallResult;
  };

  beforeAll(async () => {
    dir = synthToDir((app) => buildKafkaAclApp(app));
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: (line) => lines.push(line) });
  }, 180_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a function granted WriteData on one topic WHEN it publishes to another THEN the broker answers TOPIC_AUTHORIZATION_FAILED', async () => {
    // WHEN
    const result = await publishAs(emulator, ACL_TOPICS.other);
    // THEN
    expect(result).toMatchObject({ ok: false, type: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(result.message).toContain('Not authorized to access topics: [Topic authorization failed]');
  }, 60_000);

  test('GIVEN the same function WHEN it publishes to the topic it was granted THEN the broker takes the record', async () => {
    expect(await publishAs(emulator, ACL_TOPICS.granted)).toEqual({ ok: true });
  }, 60_000);

  test('GIVEN a mapping whose function role lacks kafka-cluster:ReadData WHEN a record arrives THEN its poller fails as Lambda\'s does, and only the granted mapping invokes its function', async () => {
    // GIVEN the record, written through the all-access listener
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send({ topic: ACL_TOPICS.consumed, messages: [{ value: JSON.stringify({ n: 1 }) }] });
    await producer.disconnect();
    // THEN the control mapping's function gets it
    const reader = fnName(emulator, 'Reader');
    await waitFor(() => emulator.invocations.some((i) => i.functionName === reader), { timeoutMs: 30_000, description: 'the Reader mapping to invoke its function' });
    // AND the other mapping reports Lambda's PROBLEM, and never invokes its function
    const noRead = fnName(emulator, 'NoRead');
    const problem = await waitFor(() => lines.find((l) => l.includes('NoReadMapping') && l.includes('PROBLEM')), { timeoutMs: 30_000, description: 'the NoRead mapping\'s PROBLEM line' });
    expect(problem).toContain('WARN PROBLEM: Cluster failed to authorize Lambda. mapping=KafkaAcl/NoReadMapping');
    expect(problem).toContain(`function=${noRead}`);
    expect(emulator.invocations.some((i) => i.functionName === noRead)).toBe(false);
  }, 90_000);

  test('GIVEN Kafka ACL enforcement off WHEN the function publishes to the topic it was not granted THEN the broker takes it', async () => {
    const open = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, enforceKafkaAcls: false });
    try {
      expect(await publishAs(open, ACL_TOPICS.other)).toEqual({ ok: true });
    } finally {
      await open.stop();
    }
  }, 120_000);
});
