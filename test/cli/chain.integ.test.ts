import * as fs from 'fs';
import { Stack } from 'aws-cdk-lib';
import { TaskChain } from '../../lib/chain';
import { KafkaCluster } from '../../lib/cluster';
import { LatencyProfile } from '../../lib/consumer';
import { Emulator } from '../../lib/local/emulator';
import { SLEEP_TASK_ENTRY } from '../chain/chain-fixtures';
import { runCli } from '../support/cli';
import { serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';

/**
 * The `chain` commands as a user runs them, in a process of their own, on a chain declared
 * inline in the user's own stack (no declaration module anywhere): the command finds the
 * chain and its join table in the cloud assembly and drives the emulated app.
 */
describe('msk-pipelines chain on a user stack', () => {
  const chain = `shop${uniqueName('').replace(/[^a-z0-9]/g, '').slice(-8)}`;
  let dir: string;
  let emulator: Emulator;
  const functionLogs: string[] = [];
  const env = () => ({ KAFKA_BROKERS: serviceEndpoints().kafkaBrokers, DYNAMODB_ENDPOINT: serviceEndpoints().dynamodbEndpoint });
  const args = ['--assembly', '', '--no-synth'];

  beforeAll(async () => {
    dir = synthToDir((app) => {
      const stack = new Stack(app, `Shop${chain}`);
      new TaskChain(stack, 'Orders', {
        cluster: new KafkaCluster(stack, 'Cluster'),
        chainName: chain,
        latency: LatencyProfile.LOW_LATENCY,
        tasks: [
          { name: 'load', entry: SLEEP_TASK_ENTRY },
          { name: 'score', entry: SLEEP_TASK_ENTRY, dependsOn: ['load'] },
          { name: 'ship', entry: SLEEP_TASK_ENTRY, dependsOn: ['score'] },
        ],
      });
    });
    args[1] = dir;
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: (line) => void functionLogs.push(line) });
  });
  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const status = async (runId: string) => {
    const run = await runCli(['chain', 'status', chain, '--run-id', runId, '--json', ...args], { env: env() });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout) as Array<{ task: string; state: string; generation?: number }>;
  };

  test('GIVEN a chain only its stack declares WHEN `chain run`, `status` and `rerun` are used THEN they find it in the assembly and drive it', async () => {
    // WHEN
    const run = await runCli(['chain', 'run', chain, '--run-id', 'r-1', ...args], { env: env() });
    // THEN
    expect(run).toEqual({ code: 0, stdout: `requested run r-1 of chain ${chain} on chain.${chain}.events\n`, stderr: '' });
    await waitFor(async () => (await status('r-1')).every((t) => t.state === 'succeeded'), { timeoutMs: 60_000, description: 'the run succeeded' });
    const rerun = await runCli(['chain', 'rerun', chain, 'score', '--run-id', 'r-1', ...args], { env: env() });
    expect(rerun.stdout).toMatch(/^requested rerun of score for run r-1 \(generation \d+\): score → ship\n$/);
    const generation = Number(/generation (\d+)/.exec(rerun.stdout)![1]);
    const s = await waitFor(async () => {
      const st = await status('r-1');
      return st.find((t) => t.task === 'ship')?.generation === generation && st.find((t) => t.task === 'ship')?.state === 'succeeded' && st;
    }, { timeoutMs: 60_000, description: 'the rerun reached ship' });
    expect(s.map((t) => [t.task, t.state, t.generation])).toEqual([['load', 'succeeded', 0], ['score', 'succeeded', generation], ['ship', 'succeeded', generation]]);
    // The emulated functions (each with its DynamoDB client) print no SDK notice about the machine's Node.js either.
    expect(functionLogs.filter((l) => l.includes('[') && l.includes('-load')).length).toBeGreaterThan(0);
    expect(functionLogs.filter((l) => /NodeVersionSupportWarning|will require node/.test(l))).toEqual([]);
  });

  test('GIVEN a rerun of a task whose dependency never ran WHEN requested THEN the command fails with one line naming it', async () => {
    const run = await runCli(['chain', 'rerun', chain, 'ship', '--run-id', 'never', ...args], { env: env() });
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: cannot rerun "ship" for run never: its dependencies have not all succeeded (score: waiting); rerun "ship" once they have, or rerun them first\n' });
  });
});
