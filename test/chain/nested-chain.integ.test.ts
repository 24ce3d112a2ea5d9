import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { ChainClient, ChainGraph, TaskChain, type TaskDeclaration } from '../../lib/chain';
import { KafkaCluster } from '../../lib/cluster';
import { Emulator } from '../../lib/local/emulator';
import { documentClient, kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { SLEEP_TASK_ENTRY } from './chain-fixtures';

/** A chain split into nested stacks still runs in local mode: the emulator reads nested templates. */
describe('a chain in nested stacks, in local mode', () => {
  const chainName = `nested${uniqueName('n').replace(/[^a-z0-9]/g, '').slice(-8)}`;
  const tasks: TaskDeclaration[] = [
    { name: 'a', entry: SLEEP_TASK_ENTRY },
    { name: 'b', entry: SLEEP_TASK_ENTRY, dependsOn: ['a'] },
    { name: 'c', entry: SLEEP_TASK_ENTRY, dependsOn: ['a', 'b'] },
  ];
  let dir: string;
  let emulator: Emulator;
  let chain!: TaskChain;
  let stack!: Stack;

  beforeAll(async () => {
    dir = synthToDir((app: App) => {
      stack = new Stack(app, `Nested${chainName}`);
      chain = new TaskChain(stack, 'Chain', { cluster: new KafkaCluster(stack, 'Cluster'), chainName, tasks, tasksPerStack: 1 });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined });
  });
  afterAll(async () => {
    await emulator?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN one task per nested stack WHEN a run is requested THEN all three tasks succeed in order', async () => {
    expect(chain.taskStacks).toHaveLength(3);
    expect(emulator.mappings.filter((m) => m.topics.includes(`chain.${chainName}.events`))).toHaveLength(3);
    const producer = kafkaClient().producer();
    await producer.connect();
    try {
      const client = new ChainClient({ graph: ChainGraph.of({ name: chainName, tasks }), producer, db: documentClient(), joinTableName: emulator.tables.find((t) => t.logicalId === stack.resolve(stack.getLogicalId(chain.joinTable.node.defaultChild as never)))!.name });
      const runId = uniqueName('run');
      await client.requestRuns([runId]);
      const s = await waitFor(async () => {
        const st = await client.status(runId);
        return st.every((x) => x.state === 'succeeded') && st;
      }, { timeoutMs: 60_000, description: 'nested chain run succeeded' });
      expect(s.map((x) => x.task)).toEqual(['a', 'b', 'c']);
      expect(Date.parse(s[2].startedAt!)).toBeGreaterThanOrEqual(Date.parse(s[1].finishedAt!));
    } finally {
      await producer.disconnect();
    }
  });
});
