import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { businessDate, ChainEnv } from '../../../lambdas/runtime/chain/config';
import { ChainClient, dateRange } from '../../chain/client';
import type { TaskRunStatus } from '../../chain/graph';
import type { Emulator } from '../emulator/emulator';
import { chainGraphOf, findChains } from '../scenarios/chains';
import type { RecordView } from './topic-watch';
import { LOCAL_TOOL_CREDENTIALS } from '../emulator/environment';

/** One chain as the console shows it. */
export interface ChainInfo {
  readonly name: string;
  readonly topic: string;
  /** Tasks in topological order, with their dependencies. */
  readonly tasks: Array<{ name: string; dependsOn: string[] }>;
  readonly timeZone: string;
}

/** The state of one run of a chain, per task (`chain status`). */
export interface ChainRunState {
  readonly chain: string;
  readonly runId: string;
  readonly statuses: TaskRunStatus[];
}

/** How long a run's status waits for more of its events before it is read again. */
const REFRESH_DELAY_MS = 250;

/**
 * The chains of the emulated graph, each with the same `ChainClient` the `chain` commands use:
 * run now, rerun a task (with its downstream cascade), backfill a range, a run's status. Runs are
 * found on the chain topics as the topic watch sees them; each chain event makes its run's status
 * be read again from the join table.
 */
export class ConsoleChains {
  private readonly clients = new Map<string, { client: ChainClient; info: ChainInfo }>();
  private readonly runs = new Map<string, ChainRunState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly producer: Producer;
  private readonly db: DynamoDBDocumentClient[] = [];
  private listener?: (state: ChainRunState) => void;

  constructor(emulator: Pick<Emulator, 'functions'>, kafka: Kafka) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    for (const chain of findChains(emulator)) {
      const env = chain.requester.environment;
      const db = DynamoDBDocumentClient.from(new DynamoDBClient({
        endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
        region: env.AWS_REGION,
        // Not the requester's own key: the tool is not the function, and is not held to its role.
        credentials: LOCAL_TOOL_CREDENTIALS,
      }));
      this.db.push(db);
      const graph = chainGraphOf(chain);
      const client = new ChainClient({ graph, producer: this.producer, db, joinTableName: env[ChainEnv.JOIN_TABLE_NAME], topicName: env[ChainEnv.CHAIN_TOPIC], requestedBy: 'console' });
      const info: ChainInfo = {
        name: chain.name,
        topic: client.topicName,
        tasks: graph.topologicalOrder().map((t) => ({ name: t, dependsOn: graph.dependenciesOf(t) })),
        timeZone: env[ChainEnv.CHAIN_TIME_ZONE] ?? 'UTC',
      };
      this.clients.set(chain.name, { client, info });
    }
  }

  async start(): Promise<void> {
    if (this.clients.size > 0) await this.producer.connect();
  }

  async stop(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    await this.producer.disconnect().catch(() => undefined);
    for (const db of this.db) db.destroy();
  }

  onRun(listener: (state: ChainRunState) => void): void {
    this.listener = listener;
  }

  get chains(): ChainInfo[] {
    return [...this.clients.values()].map((c) => c.info);
  }

  /** Known runs, newest run id first. */
  get knownRuns(): ChainRunState[] {
    return [...this.runs.values()].sort((a, b) => b.runId.localeCompare(a.runId));
  }

  /** A record of a chain topic: its run's status is read again shortly. */
  seen(record: RecordView): void {
    const entry = [...this.clients.values()].find((c) => c.info.topic === record.topic);
    if (!entry || !record.runid) return;
    const key = `${entry.info.name}/${record.runid}`;
    if (this.timers.has(key)) return;
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.status(entry.info.name, record.runid!).catch(() => undefined);
    }, REFRESH_DELAY_MS));
  }

  /** A run's status per task, read now. */
  async status(chain: string, runId: string): Promise<ChainRunState> {
    const state = { chain, runId, statuses: await this.client(chain).status(runId) };
    this.runs.set(`${chain}/${runId}`, state);
    this.listener?.(state);
    return state;
  }

  /** `chain run`: one run, by default today's business date in the chain's time zone. */
  async runNow(chain: string, runId?: string): Promise<string[]> {
    const id = runId || businessDate(new Date(), this.info(chain).timeZone);
    await this.client(chain).requestRuns([id]);
    return [id];
  }

  /** `chain rerun`: the task and its downstream cascade, for one run. */
  async rerun(chain: string, task: string, runId: string): Promise<{ generation: number; cascade: string[] }> {
    if (!this.info(chain).tasks.some((t) => t.name === task)) throw new Error(`chain ${chain} has no task '${task}' (tasks: ${this.info(chain).tasks.map((t) => t.name).join(', ')})`);
    return this.client(chain).requestRerun(task, runId);
  }

  /** `chain backfill`: one run per date from `from` to `to`. */
  async backfill(chain: string, from: string, to: string): Promise<string[]> {
    const runIds = dateRange(from, to);
    await this.client(chain).requestRuns(runIds);
    return runIds;
  }

  private info(chain: string): ChainInfo {
    return this.entry(chain).info;
  }

  private client(chain: string): ChainClient {
    return this.entry(chain).client;
  }

  private entry(chain: string) {
    const e = this.clients.get(chain);
    if (!e) throw new Error(`no chain '${chain}' (chains: ${[...this.clients.keys()].join(', ') || 'none'})`);
    return e;
  }
}
