import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { TaskChain } from '../../lib/chain';
import { dateRange, statusTable } from '../../lib/chain/client';
import { register } from '../../lib/cli/chain';
import { chainsInAssembly, findChain } from '../../lib/cli/chain-source';
import { KafkaCluster } from '../../lib/cluster';
import { SLEEP_TASK_ENTRY } from './chain-fixtures';

/**
 * A user's own app: a chain declared inline in `new TaskChain(...)` of their stack, nowhere
 * else. Bundling is skipped: the chain commands read templates only.
 */
function userApp(outdir: string): { template: string } {
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ShopStack');
  new TaskChain(stack, 'Orders', {
    cluster: new KafkaCluster(stack, 'Cluster'),
    chainName: 'orders-nightly',
    schedule: { expression: 'cron(0 3 * * ? *)', timeZone: 'Europe/Paris' },
    tasks: [
      { name: 'load', entry: SLEEP_TASK_ENTRY },
      { name: 'score', entry: SLEEP_TASK_ENTRY, dependsOn: ['load'] },
      { name: 'ship', entry: SLEEP_TASK_ENTRY, dependsOn: ['score'] },
    ],
  });
  const assembly = app.synth();
  return { template: JSON.stringify(assembly.getStackByName('ShopStack').template) };
}

async function cli(args: string[]): Promise<string> {
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  try {
    const program = new Command().exitOverride();
    register(program);
    await program.parseAsync(['node', 'cli', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('chain command line: finding chains', () => {
  const dir = fs.mkdtempSync('/tmp/chain-cli-');
  const { template } = userApp(dir);
  const local = { assembly: dir, appDir: '.', synth: false };
  const cloudFormation = mockClient(CloudFormationClient);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => cloudFormation.reset());

  test('GIVEN a chain declared inline in a user stack WHEN looked up in its cloud assembly THEN its declaration, topic and local join table are found', async () => {
    // WHEN
    const found = await findChain('orders-nightly', local);
    // THEN
    expect(found.declaration).toMatchObject({ name: 'orders-nightly', schedule: { timeZone: 'Europe/Paris' } });
    expect(found.declaration.tasks.map((t) => [t.name, t.dependsOn])).toEqual([['load', []], ['score', ['load']], ['ship', ['score']]]);
    expect(found.topicName).toBe('chain.orders-nightly.events');
    expect(found.joinTable).toMatch(/^ShopStack-OrdersJoinTable[0-9A-F]{8}$/);
  });

  test('GIVEN `chain graph` on that assembly WHEN run THEN it prints the chain as Mermaid', async () => {
    const out = await cli(['chain', 'graph', 'orders-nightly', '--assembly', dir, '--no-synth']);
    expect(out).toContain('flowchart LR');
    expect(out).toContain('load --> score');
    expect(out).toContain('score --> ship');
  });

  test('GIVEN an unknown chain THEN the error names the assembly and lists the chains it holds', async () => {
    await expect(findChain('nope', local)).rejects.toThrow(`no chain 'nope' in the cloud assembly ${dir} (chains: orders-nightly); or pass --declaration <module>`);
  });

  test('GIVEN no assembly and --no-synth THEN the error says so', async () => {
    await expect(findChain('orders-nightly', { ...local, assembly: `${dir}/missing` })).rejects.toThrow(/no cloud assembly at .*missing \(synthesize first, or drop --no-synth\)/);
  });

  test('GIVEN a deployed stack WHEN the chain is looked up with --stack THEN GetTemplate gives the declaration and DescribeStacks the join table', async () => {
    // GIVEN the stack as CloudFormation returns it
    const outputKey = chainsInAssembly(dir)[0].recorded.joinTableOutput;
    cloudFormation.on(GetTemplateCommand, { StackName: 'ShopStack' }).resolves({ TemplateBody: template });
    cloudFormation.on(DescribeStacksCommand, { StackName: 'ShopStack' }).resolves({
      Stacks: [{ StackName: 'ShopStack', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: outputKey, OutputValue: 'ShopStack-OrdersJoinTable-1A2B3C' }] }],
    });
    // WHEN
    const found = await findChain('orders-nightly', { ...local, assembly: `${dir}/missing`, stack: 'ShopStack', region: 'eu-west-1' });
    // THEN
    expect(found).toMatchObject({ joinTable: 'ShopStack-OrdersJoinTable-1A2B3C', topicName: 'chain.orders-nightly.events', source: 'stack ShopStack' });
    expect(found.declaration.tasks.map((t) => t.name)).toEqual(['load', 'score', 'ship']);
  });

  test('GIVEN a deployed template that is not JSON WHEN the chain is looked up with --stack THEN the error says so and keeps the parser\'s error as cause', async () => {
    // GIVEN a YAML template, as a stack not deployed by the CDK may have
    cloudFormation.on(GetTemplateCommand, { StackName: 'YamlStack' }).resolves({ TemplateBody: 'Resources: {}' });
    // WHEN
    const error = await findChain('orders-nightly', { ...local, assembly: `${dir}/missing`, stack: 'YamlStack', region: 'eu-west-1' }).catch((e: Error) => e);
    // THEN
    expect(error).toMatchObject({ message: 'the template of stack YamlStack is not JSON (stacks deployed by the CDK are); cannot read its chains' });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  test('GIVEN --cluster-arn without --stack THEN the deployed stack is the one the local assembly names', async () => {
    cloudFormation.on(GetTemplateCommand, { StackName: 'ShopStack' }).resolves({ TemplateBody: template });
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'ShopStack', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    await expect(findChain('orders-nightly', { ...local, clusterArn: 'arn:aws:kafka:eu-west-1:111111111111:cluster/c/1', region: 'eu-west-1' })).rejects.toThrow(
      /^stack ShopStack has no output OrdersJoinTableName[0-9A-F]{8} \(the join table of chain 'orders-nightly'\): is its deployment complete\?$/,
    );
    expect(cloudFormation.commandCalls(GetTemplateCommand)).toHaveLength(1);
  });

  test('GIVEN a deployed chain and a local broker in the environment WHEN `chain run --stack` has no --cluster-arn THEN it refuses instead of publishing locally', async () => {
    const outputKey = chainsInAssembly(dir)[0].recorded.joinTableOutput;
    cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: template });
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'ShopStack', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: outputKey, OutputValue: 'deployed-table' }] }] });
    const saved = process.env.KAFKA_BROKERS;
    process.env.KAFKA_BROKERS = '127.0.0.1:1';
    try {
      await expect(cli(['chain', 'run', 'orders-nightly', '--stack', 'ShopStack', '--region', 'eu-west-1', '--run-id', 'r-1'])).rejects.toThrow(
        "No Kafka for the deployed chain 'orders-nightly': pass --cluster-arn <arn> (or --brokers with --auth iam).",
      );
    } finally {
      if (saved === undefined) delete process.env.KAFKA_BROKERS;
      else process.env.KAFKA_BROKERS = saved;
    }
  });

  test('GIVEN a deployed stack without that chain, or --cluster-arn with no local assembly THEN the errors say what to pass', async () => {
    cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify({ Resources: {} }) });
    await expect(findChain('orders-nightly', { ...local, stack: 'Other' })).rejects.toThrow("stack Other has no chain 'orders-nightly' (chains: none)");
    await expect(findChain('orders-nightly', { ...local, assembly: `${dir}/missing`, clusterArn: 'arn:aws:kafka:eu-west-1:111111111111:cluster/c/1' })).rejects.toThrow(
      /^which deployed stack holds chain 'orders-nightly'\? Pass --stack <stack name>/,
    );
  });

  test('GIVEN --declaration THEN the module is used and the local join table still comes from the assembly', async () => {
    const module = `${dir}/chains.js`;
    fs.writeFileSync(module, `exports.ORDERS = { name: 'orders-nightly', tasks: [{ name: 'only', entry: 'x.ts' }] };`);
    const found = await findChain('orders-nightly', { ...local, declaration: module });
    expect(found.declaration.tasks.map((t) => t.name)).toEqual(['only']);
    expect(found.joinTable).toMatch(/^ShopStack-OrdersJoinTable/);
    await expect(findChain('other', { ...local, declaration: module })).rejects.toThrow(`${module} exports no chain declaration named 'other'`);
  });
});

describe('chain command line (pure parts)', () => {
  test('GIVEN --from and --to WHEN a backfill is planned THEN it is one run id per day, inclusive', () => {
    expect(dateRange('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => dateRange('2026-03-02', '2026-03-01')).toThrow(/--to \(2026-03-01\) must be a valid date on or after --from \(2026-03-02\)/);
    expect(() => dateRange('20260301', '2026-03-01')).toThrow(/YYYY-MM-DD/);
  });

  test('GIVEN statuses THEN the status table has one line per task with its state', () => {
    const table = statusTable([
      { task: 'extract', state: 'succeeded', attempt: 1, generation: 0, startedAt: 'a', finishedAt: 'b', result: { uri: 'dynamodb://t/k', rows: 60 } },
      { task: 'users', state: 'failed', attempt: 3, generation: 0, error: 'Error: boom' },
      { task: 'report', state: 'waiting' },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^TASK\s+STATE\s+ATTEMPT/);
    expect(lines[1]).toMatch(/^extract\s+succeeded\s+1\s+0\s+a\s+b\s+\{"uri":"dynamodb:\/\/t\/k","rows":60\}$/);
    expect(lines[2]).toMatch(/users\s+failed\s+3.*Error: boom$/);
    expect(lines[3]).toMatch(/^report\s+waiting/);
  });
});
