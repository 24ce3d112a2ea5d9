import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Producer } from 'kafkajs';
import type { CloudEvent } from '../../lambdas/runtime/cloudevents';
import { eventMessage } from '../../lambdas/runtime/event-message';
import { chainTopicName, runRequested, taskRequested } from '../../lambdas/runtime/chain/events';
import { JoinStore, type TaskStatusItem } from '../../lambdas/runtime/chain/join-store';
import { RerunRefusedError } from '../../lambdas/runtime/chain/errors';
import { validateRunId } from './declaration';
import { ChainGraph, type TaskRunStatus } from './graph';

/** Everything the client needs: the chain's graph, a connected producer and the join table. */
export interface ChainClientOptions {
  /** The chain's tasks and their dependencies, as its declaration gives them. */
  readonly graph: ChainGraph;
  /**
   * A connected producer for the chain's topic.
   * @default - none: the client only reads (status); requesting runs throws
   */
  readonly producer?: Producer;
  /** Client of the DynamoDB that holds the join table (local or deployed). */
  readonly db: DynamoDBDocumentClient;
  /** Name of the chain's join table, where run and task state is read. */
  readonly joinTableName: string;
  /** The chain's event topic. @default chain.<name>.events, the name TaskChain gives it */
  readonly topicName?: string;
  /** Who asks (goes into the events' data). @default 'cli' */
  readonly requestedBy?: string;
}

/** Business dates from `from` to `to` inclusive (YYYY-MM-DD). */
export function dateRange(from: string, to: string): string[] {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to)) throw new Error(`--from and --to must be dates YYYY-MM-DD, got ${from} and ${to}`);
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) throw new Error(`--to (${to}) must be a valid date on or after --from (${from})`);
  const days = Math.round((end - start) / 86400000) + 1;
  if (days > 366) throw new Error(`a backfill covers at most 366 days, got ${days}`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86400000).toISOString().slice(0, 10));
}

/**
 * Requests runs and reruns of a chain and reads their state: what the `chain` command does,
 * in local mode and against a deployed stack alike (only the producer and the table differ).
 */
export class ChainClient {
  /** The chain's event topic the client publishes to: `topicName` of the options, else `chain.<name>.events`. */
  readonly topicName: string;
  private readonly store: JoinStore;

  constructor(private readonly options: ChainClientOptions) {
    this.topicName = options.topicName ?? chainTopicName(options.graph.name);
    this.store = new JoinStore(options.db, options.joinTableName);
  }

  /** The chain's graph, from the options. */
  get graph(): ChainGraph {
    return this.options.graph;
  }

  /** Publishes chain events of one run as they are (keyed by the run id). */
  async send(runId: string, events: CloudEvent[]): Promise<void> {
    if (!this.options.producer) throw new Error(`this client of chain '${this.graph.name}' has no producer: it reads status only`);
    await this.options.producer.send({ topic: this.topicName, acks: -1, messages: events.map((e) => eventMessage(e, { key: runId })) });
  }

  /** Publishes run.requested for each run id (a backfill is several independent runs). */
  async requestRuns(runIds: string[]): Promise<CloudEvent[]> {
    runIds.forEach(validateRunId);
    const events = runIds.map((runId) => runRequested(this.graph.name, runId, this.options.requestedBy ?? 'cli'));
    for (const [i, runId] of runIds.entries()) await this.send(runId, [events[i]]);
    return events;
  }

  /**
   * Reruns `task` for `runId`: the task runs again, then each task downstream of it once, in a
   * new generation; tasks outside that cascade keep their results (or, still running, join the
   * rerun when they succeed). Refused, before anything is published, while a dependency of
   * `task` has not succeeded for the run: the rerun would have no input from it.
   * @throws RerunRefusedError naming each such dependency and its state
   */
  async requestRerun(task: string, runId: string, generation = Date.now()): Promise<{ generation: number; cascade: string[] }> {
    validateRunId(runId);
    const cascade = this.graph.downstream(task);
    const dependencies = this.graph.dependenciesOf(task);
    const statuses = await this.store.statuses(this.graph.name, runId, dependencies);
    const notSucceeded = dependencies.filter((d) => !statuses.get(d)?.lastResult).map((d) => ({ task: d, state: statuses.get(d)?.state ?? 'waiting' }));
    if (notSucceeded.length > 0) throw new RerunRefusedError(task, runId, notSucceeded);
    await this.send(runId, [taskRequested(this.graph.name, runId, task, cascade, generation, this.options.requestedBy ?? 'cli')]);
    return { generation, cascade };
  }

  /** Raw status items of a run, by task. */
  async statusItems(runId: string): Promise<Map<string, TaskStatusItem>> {
    return this.store.statuses(this.graph.name, runId, this.graph.taskNames);
  }

  /** Each task's state in the run, in topological order; tasks never started are `waiting`. */
  async status(runId: string): Promise<TaskRunStatus[]> {
    const items = await this.statusItems(runId);
    return this.graph.topologicalOrder().map((task) => {
      const item = items.get(task);
      if (!item) return { task, state: 'waiting' as const };
      return {
        task,
        state: item.state,
        attempt: item.attempt,
        generation: item.generation,
        startedAt: item.startedAt,
        finishedAt: item.finishedAt,
        result: item.result,
        error: item.error,
      };
    });
  }
}

/** The status as a table for the terminal. */
export function statusTable(statuses: TaskRunStatus[]): string {
  const rows = [['TASK', 'STATE', 'ATTEMPT', 'GENERATION', 'STARTED', 'FINISHED', 'RESULT / ERROR']];
  for (const s of statuses) {
    const detail = s.error ?? (s.result ? JSON.stringify(s.result) : '');
    rows.push([s.task, s.state, s.attempt?.toString() ?? '', s.generation?.toString() ?? '', s.startedAt ?? '', s.finishedAt ?? '', detail]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
