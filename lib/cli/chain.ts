import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { Partitioners, type Producer } from 'kafkajs';
import { businessDate } from '../../lambdas/runtime/chain/config';
import { ChainClient, dateRange, statusTable } from '../chain/client';
import { ChainGraph, timelineText } from '../chain/graph';
import { DUMMY_CREDENTIALS, LOCAL_REGION } from '../local/services';
import { findChain, type ChainSourceOptions } from './chain-source';
import { readServicesState } from './endpoints';
import { cliKafka, isLocal, kafkaConnectionOptions, type KafkaConnectionOptions } from './kafka-connection';

type ConnectionOptions = ChainSourceOptions & KafkaConnectionOptions & {
  table?: string;
  dynamodbEndpoint?: string;
};

async function connect(chain: string, options: ConnectionOptions, publishes: boolean) {
  const found = await findChain(chain, options);
  const graph = ChainGraph.of(found.declaration);
  const local = isLocal(options) && !options.stack;
  const services = readServicesState();
  // A deployed stack's chain is never driven through the local broker by accident.
  if (publishes && !local && !options.brokers && !options.clusterArn) {
    throw new Error(`No Kafka for the deployed chain '${chain}': pass --cluster-arn <arn> (or --brokers with --auth iam).`);
  }
  const table = options.table ?? found.joinTable;
  if (!table) throw new Error(`No join table for chain '${chain}' (found in ${found.source}): pass --table (the stack output JoinTableName).`);
  const endpoint = options.dynamodbEndpoint ?? (local ? process.env.DYNAMODB_ENDPOINT ?? services?.dynamodbEndpoint : undefined);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient(endpoint ? { endpoint, region: options.region ?? LOCAL_REGION, credentials: DUMMY_CREDENTIALS } : { region: options.region }),
  );
  let producer: Producer | undefined;
  if (publishes) {
    producer = (await cliKafka(options)).producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }
  // Status and timeline only read the table: no producer.
  const client = new ChainClient({ graph, producer, db, joinTableName: table, topicName: found.topicName, requestedBy: `cli:${process.env.USER ?? 'user'}` });
  return { client, graph, close: () => (producer ? producer.disconnect() : Promise.resolve()) };
}

async function withClient(chain: string, options: ConnectionOptions, fn: (c: Awaited<ReturnType<typeof connect>>) => Promise<void>, publishes = true): Promise<void> {
  const c = await connect(chain, options, publishes);
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

/** Where the chain is found: the local app's assembly, a deployed stack (`--stack`, `--cluster-arn`), or a module. */
function chainSourceOptions(cmd: Command): Command {
  return cmd
    .option('--assembly <dir>', 'cloud assembly the chain is read from (synthesized when absent or older than the app)', 'cdk.out')
    .option('--app-dir <dir>', 'directory of the CDK app (its cdk.json)', '.')
    .option('--no-synth', 'read the assembly as it is, never synthesize')
    .option('--stack <name>', 'deployed stack holding the chain: read it from CloudFormation (GetTemplate, DescribeStacks)')
    .option('--declaration <file>', 'module exporting the chain declaration, instead of the assembly');
}

function connectionOptions(cmd: Command): Command {
  return kafkaConnectionOptions(chainSourceOptions(cmd))
    .option('--table <name>', 'join table (default: from the assembly, or the deployed stack\'s JoinTableName output)')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint (default: DYNAMODB_ENDPOINT, else a running `services`)');
}

const write = (text: string): void => void process.stdout.write(`${text}\n`);

/** `msk-pipelines chain …`: run, rerun, backfill, status, graph and timeline of task chains. */
export function register(program: Command): void {
  const chain = program.command('chain').description('task chains: request runs and reruns, show status, graph and timeline');

  connectionOptions(chain.command('run').description('request a run (run.requested)').argument('<chain>'))
    .option('--run-id <id>', 'run id (default: today in the chain schedule\'s time zone)')
    .action(async (name: string, options: ConnectionOptions & { runId?: string }) => {
      await withClient(name, options, async ({ client, graph }) => {
        const runId = options.runId ?? businessDate(new Date(), graph.declaration.schedule?.timeZone ?? 'UTC');
        await client.requestRuns([runId]);
        write(`requested run ${runId} of chain ${name} on ${client.topicName}`);
      });
    });

  connectionOptions(chain.command('rerun').description('rerun a task and everything downstream of it for one run').argument('<chain>').argument('<task>'))
    .requiredOption('--run-id <id>', 'the run to rerun the task in')
    .action(async (name: string, task: string, options: ConnectionOptions & { runId: string }) => {
      await withClient(name, options, async ({ client }) => {
        const { generation, cascade } = await client.requestRerun(task, options.runId);
        write(`requested rerun of ${task} for run ${options.runId} (generation ${generation}): ${cascade.join(' → ')}`);
      });
    });

  connectionOptions(chain.command('backfill').description('request one independent run per date').argument('<chain>'))
    .requiredOption('--from <date>', 'first run id (YYYY-MM-DD)')
    .requiredOption('--to <date>', 'last run id (YYYY-MM-DD), inclusive')
    .action(async (name: string, options: ConnectionOptions & { from: string; to: string }) => {
      const runIds = dateRange(options.from, options.to);
      await withClient(name, options, async ({ client }) => {
        await client.requestRuns(runIds);
        write(`requested ${runIds.length} runs of chain ${name}: ${runIds[0]} … ${runIds[runIds.length - 1]}`);
      });
    });

  connectionOptions(chain.command('status').description('each task of a run: waiting, running, succeeded or failed, with times').argument('<chain>'))
    .requiredOption('--run-id <id>', 'the run')
    .option('--json', 'print JSON')
    .action(async (name: string, options: ConnectionOptions & { runId: string; json?: boolean }) => {
      await withClient(name, options, async ({ client }) => {
        const status = await client.status(options.runId);
        write(options.json ? JSON.stringify(status, null, 2) : statusTable(status));
      }, false);
    });

  connectionOptions(chain.command('timeline').description("a run's timeline, one bar per task").argument('<chain>'))
    .requiredOption('--run-id <id>', 'the run')
    .action(async (name: string, options: ConnectionOptions & { runId: string }) => {
      await withClient(name, options, async ({ client }) => write(timelineText(await client.status(options.runId))), false);
    });

  chainSourceOptions(chain.command('graph').description('the chain as a Mermaid flowchart (no services needed)').argument('<chain>'))
    .option('--cluster-arn <arn>', 'read the chain from the deployed stack (with --stack, or the stack the local assembly names)')
    .option('--region <region>', 'AWS region of a deployed stack')
    .action(async (name: string, options: ChainSourceOptions) => write(ChainGraph.of((await findChain(name, options)).declaration).mermaid()));
}
