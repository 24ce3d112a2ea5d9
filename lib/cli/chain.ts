import * as fs from 'fs';
import * as path from 'path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { Partitioners } from 'kafkajs';
import { businessDate } from '../../lambdas/runtime/chain/config';
import { ChainClient, dateRange, statusTable } from '../chain/client';
import type { ChainDeclaration } from '../chain/declaration';
import { ChainGraph, timelineText } from '../chain/graph';
import { loadAssembly } from '../local/emulator';
import { DUMMY_CREDENTIALS, LOCAL_REGION } from '../local/services';
import { EXAMPLE_CHAINS } from '../examples/chain-stacks';
import { readServicesState } from './endpoints';
import { cliKafka, isLocal, kafkaConnectionOptions, KafkaConnectionOptions } from './kafka-connection';

interface ConnectionOptions extends KafkaConnectionOptions {
  table?: string;
  dynamodbEndpoint?: string;
  assembly: string;
  declaration?: string;
}

/** The chain's declaration: an example by name, or the export named like the chain in --declaration. */
export function loadDeclaration(chain: string, file?: string): ChainDeclaration {
  if (file) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.resolve(file)) as Record<string, unknown>;
    const found = Object.values(mod).find((v): v is ChainDeclaration => typeof v === 'object' && v !== null && (v as ChainDeclaration).name === chain && Array.isArray((v as ChainDeclaration).tasks));
    if (!found) throw new Error(`${file} exports no chain declaration named '${chain}'`);
    return found;
  }
  const example = EXAMPLE_CHAINS[chain];
  if (!example) throw new Error(`unknown chain '${chain}' (examples: ${Object.keys(EXAMPLE_CHAINS).join(', ')}; or pass --declaration <file>)`);
  return example;
}

/**
 * The local name of the join table of `chain` in a synthesized assembly: the TaskChain's
 * `JoinTableName` output, named as the emulator names tables (docs/emulator.md).
 */
export function joinTableFromAssembly(assemblyDir: string, chain: string): string | undefined {
  if (!fs.existsSync(path.join(assemblyDir, 'manifest.json'))) return undefined;
  const model = loadAssembly(assemblyDir, { kafkaBrokers: '127.0.0.1:9092', dynamodbEndpoint: 'http://127.0.0.1:8000' });
  const description = `Join and status table of chain ${chain}`;
  for (const stack of model.stacks) {
    const template = JSON.parse(fs.readFileSync(stack.templateFile, 'utf8'));
    for (const output of Object.values<any>(template.Outputs ?? {})) {
      if (output.Description !== description) continue;
      if (typeof output.Value === 'string') return output.Value;
      const table = model.tables.find((t) => t.stack === stack.name && t.logicalId === output.Value?.Ref);
      if (table) return table.name;
    }
  }
  return undefined;
}

async function connect(chain: string, options: ConnectionOptions, publishes: boolean) {
  const graph = ChainGraph.of(loadDeclaration(chain, options.declaration));
  const local = isLocal(options);
  const services = readServicesState();
  const kafka = await cliKafka(options);
  const endpoint = options.dynamodbEndpoint ?? (local ? process.env.DYNAMODB_ENDPOINT ?? services?.dynamodbEndpoint : undefined);
  const table = options.table ?? (local ? joinTableFromAssembly(options.assembly, chain) : undefined);
  if (!table) throw new Error(`No join table for chain '${chain}': pass --table (the stack output JoinTableName), or synthesize into ${options.assembly}.`);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient(endpoint ? { endpoint, region: options.region ?? LOCAL_REGION, credentials: DUMMY_CREDENTIALS } : { region: options.region }),
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  // Status and timeline only read the table.
  if (publishes) await producer.connect();
  const client = new ChainClient({ graph, producer, db, joinTableName: table, requestedBy: `cli:${process.env.USER ?? 'user'}` });
  return { client, graph, close: () => (publishes ? producer.disconnect() : Promise.resolve()) };
}

async function withClient(chain: string, options: ConnectionOptions, fn: (c: Awaited<ReturnType<typeof connect>>) => Promise<void>, publishes = true): Promise<void> {
  const c = await connect(chain, options, publishes);
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

function connectionOptions(cmd: Command): Command {
  return kafkaConnectionOptions(cmd)
    .option('--table <name>', 'join table (stack output JoinTableName); locally read from the assembly')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint (default: DYNAMODB_ENDPOINT, else a running `services`)')
    .option('--assembly <dir>', 'cloud assembly to find the local join table in', 'cdk.out')
    .option('--declaration <file>', 'module exporting the chain declaration (default: the example chains)');
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

  chain
    .command('graph')
    .description('the chain as a Mermaid flowchart (no services needed)')
    .argument('<chain>')
    .option('--declaration <file>', 'module exporting the chain declaration (default: the example chains)')
    .action((name: string, options: { declaration?: string }) => write(ChainGraph.of(loadDeclaration(name, options.declaration)).mermaid()));
}
