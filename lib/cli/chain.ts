import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { kafkaConfig } from '../../lambdas/runtime/kafka-client';
import { businessDate } from '../../lambdas/runtime/chain/config';
import { ChainClient, dateRange, statusTable } from '../chain/client';
import { ChainGraph, timelineText } from '../chain/graph';
import { DUMMY_CREDENTIALS, LOCAL_REGION } from '../local/services';
import { findChain, type ChainSourceOptions } from './chain-source';
import { readServicesState } from './endpoints';
import { cliKafkaLogCreator } from './kafka-log';

interface ConnectionOptions extends ChainSourceOptions {
  brokers?: string;
  auth?: string;
  table?: string;
  dynamodbEndpoint?: string;
}

async function connect(chain: string, options: ConnectionOptions, publishes: boolean) {
  const found = await findChain(chain, options);
  const graph = ChainGraph.of(found.declaration);
  const local = !options.clusterArn && !options.auth && !options.stack;
  const services = readServicesState();
  // A deployed stack's chain is never driven through the local broker by accident.
  const brokers = options.brokers ?? (local ? process.env.KAFKA_BROKERS ?? services?.kafkaBrokers : undefined);
  if (publishes && !brokers && !options.clusterArn) {
    throw new Error(local ? 'No Kafka: run `npm run local -- services`, or pass --brokers (and --auth iam) or --cluster-arn with --region.' : `No Kafka for the deployed chain '${chain}': pass --cluster-arn <arn> (or --brokers with --auth iam).`);
  }
  const table = options.table ?? found.joinTable;
  if (!table) throw new Error(`No join table for chain '${chain}' (found in ${found.source}): pass --table (the stack output JoinTableName).`);
  const endpoint = options.dynamodbEndpoint ?? (local ? process.env.DYNAMODB_ENDPOINT ?? services?.dynamodbEndpoint : undefined);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient(endpoint ? { endpoint, region: options.region ?? LOCAL_REGION, credentials: DUMMY_CREDENTIALS } : { region: options.region }),
  );
  let producer: Producer | undefined;
  if (publishes) {
    const env: Record<string, string | undefined> = {
      KAFKA_BOOTSTRAP_SERVERS: brokers,
      KAFKA_CLUSTER_ARN: options.clusterArn,
      KAFKA_AUTH: options.auth ?? (options.clusterArn ? 'iam' : 'none'),
      AWS_REGION: options.region ?? process.env.AWS_REGION,
      POWERTOOLS_SERVICE_NAME: 'msk-pipelines-cli',
    };
    const kafka = new Kafka({ ...(await kafkaConfig(env)), clientId: 'msk-pipelines-cli', logLevel: process.env.DEBUG ? logLevel.DEBUG : logLevel.ERROR, logCreator: cliKafkaLogCreator });
    producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
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

/** Where the chain is found: the local app's assembly, a deployed stack, or a module. */
function chainSourceOptions(cmd: Command): Command {
  return cmd
    .option('--assembly <dir>', 'cloud assembly the chain is read from (synthesized when absent or older than the app)', 'cdk.out')
    .option('--app-dir <dir>', 'directory of the CDK app (its cdk.json)', '.')
    .option('--no-synth', 'read the assembly as it is, never synthesize')
    .option('--stack <name>', 'deployed stack holding the chain: read it from CloudFormation (GetTemplate, DescribeStacks)')
    .option('--cluster-arn <arn>', 'MSK cluster: brokers found with GetBootstrapBrokers, IAM auth; the chain is read from its deployed stack')
    .option('--region <region>', 'AWS region of a deployed stack')
    .option('--declaration <file>', 'module exporting the chain declaration, instead of the assembly');
}

function connectionOptions(cmd: Command): Command {
  return chainSourceOptions(cmd)
    .option('-b, --brokers <brokers>', 'bootstrap servers (default: KAFKA_BROKERS, else a running `services`)')
    .option('--auth <mode>', 'none | iam | tls | scram-sha-512 (default: none locally, iam with --cluster-arn)')
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
    .action(async (name: string, options: ChainSourceOptions) => write(ChainGraph.of((await findChain(name, options)).declaration).mermaid()));
}
