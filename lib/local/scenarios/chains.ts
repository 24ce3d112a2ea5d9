import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ChainEnv } from '../../../lambdas/runtime/chain/config';
import { JoinStore, type TaskStatusItem } from '../../../lambdas/runtime/chain/join-store';
import { ChainGraph } from '../../chain/graph';
import type { Emulator } from '../emulator';
import type { FunctionModel } from '../emulator/model';
import { LOCAL_TOOL_CREDENTIALS } from '../emulator/environment';

/** The outcome of one chain run in the demo. */
export interface ChainScenarioResult {
  readonly chain: string;
  readonly runId: string;
  /** Tasks in the order they started. */
  readonly startOrder: string[];
  readonly statuses: Array<Pick<TaskStatusItem, 'task' | 'state' | 'startedAt' | 'finishedAt' | 'result' | 'error'>>;
  /** Every task succeeded and each started after all of its dependencies finished. */
  readonly ok: boolean;
  readonly problems: string[];
}

export interface ChainScenarioOptions {
  /** Only these chains. @default every chain of the assembly */
  readonly chains?: string[];
  /** How long each chain's run may take to finish. @default 120000 */
  readonly timeoutMs?: number;
  /** Run id of the runs requested. @default `demo-<time>` (unique, so earlier demos' state never counts) */
  readonly runId?: string;
  /** Progress lines. @default stdout */
  readonly log?: (line: string) => void;
}

/** The functions of one emulated chain. */
export interface ChainFunctions {
  name: string;
  requester: FunctionModel;
  tasks: FunctionModel[];
}

/** The chain's graph, from the environment TaskChain gives its task functions. */
export function chainGraphOf(chain: ChainFunctions): ChainGraph {
  return ChainGraph.of({
    name: chain.name,
    tasks: chain.tasks.map((t) => ({ name: t.environment[ChainEnv.TASK_NAME], entry: t.name, dependsOn: (t.environment[ChainEnv.TASK_DEPENDS_ON] ?? '').split(',').filter(Boolean) })),
  });
}

/** Chains of the emulated assembly, recognised by the environment the TaskChain construct sets. */
export function findChains(emulator: Pick<Emulator, 'functions'>): ChainFunctions[] {
  const chains = new Map<string, ChainFunctions>();
  for (const fn of emulator.functions) {
    const chain = fn.environment[ChainEnv.CHAIN_NAME];
    const role = fn.environment[ChainEnv.CHAIN_ROLE];
    if (!chain || !role) continue;
    const entry = chains.get(`${fn.stack}/${chain}`) ?? ({ name: chain, tasks: [] } as unknown as ChainFunctions);
    if (role === 'run-requester') entry.requester = fn;
    if (role === 'task') entry.tasks.push(fn);
    chains.set(`${fn.stack}/${chain}`, entry);
  }
  return [...chains.values()].filter((c) => c.requester && c.tasks.length > 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The chain part of the demo: starts one run of every chain in the emulated app (through its
 * run requester function, as the schedule would) and waits until every task succeeded, then
 * checks each task started only after all of its dependencies had finished.
 */
export async function runChainScenarios(emulator: Emulator, options: ChainScenarioOptions = {}): Promise<ChainScenarioResult[]> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? 120_000;
  const runId = options.runId ?? `demo-${Date.now().toString(36)}`;
  const chains = findChains(emulator).filter((c) => !options.chains || options.chains.includes(c.name));
  return Promise.all(
    chains.map(async (chain) => {
      const env = chain.requester.environment;
      const graph = chainGraphOf(chain);
      const db = DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: env.AWS_ENDPOINT_URL_DYNAMODB,
          region: env.AWS_REGION ?? 'us-east-1',
          // Not the requester's own key: the tool is not the function, and is not held to its role.
          credentials: LOCAL_TOOL_CREDENTIALS,
        }),
      );
      const store = new JoinStore(db, env[ChainEnv.JOIN_TABLE_NAME]);
      log(`[chain ${chain.name}] requesting run ${runId}`);
      const invoked = await emulator.invoke(chain.requester.name, { runId });
      if (invoked.outcome !== 'succeeded') throw new Error(`run requester of chain ${chain.name} failed: ${invoked.error?.errorMessage}`);
      const deadline = Date.now() + timeoutMs;
      let statuses = new Map<string, TaskStatusItem>();
      const reported = new Set<string>();
      for (;;) {
        statuses = await store.statuses(chain.name, runId, graph.taskNames);
        for (const s of statuses.values()) {
          if (s.state !== 'running' && !reported.has(s.task)) {
            reported.add(s.task);
            log(`[chain ${chain.name}] ${s.task} ${s.state}${s.result ? ` → ${s.result.uri} (${s.result.rows ?? '?'} rows)` : ''}${s.error ? `: ${s.error}` : ''}`);
          }
        }
        const states = graph.taskNames.map((t) => statuses.get(t)?.state);
        if (states.every((s) => s === 'succeeded') || states.includes('failed') || Date.now() > deadline) break;
        await sleep(200);
      }
      const problems: string[] = [];
      for (const task of graph.taskNames) {
        const s = statuses.get(task);
        if (s?.state !== 'succeeded') problems.push(`${task} is ${s?.state ?? 'waiting'}${s?.error ? `: ${s.error}` : ''}`);
        for (const dep of graph.dependenciesOf(task)) {
          const d = statuses.get(dep);
          if (s?.startedAt && d?.finishedAt && Date.parse(s.startedAt) < Date.parse(d.finishedAt)) problems.push(`${task} started before its dependency ${dep} finished`);
        }
      }
      const list = graph.taskNames.map((t) => statuses.get(t)).filter((s): s is TaskStatusItem => !!s);
      const startOrder = [...list].sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? '')).map((s) => s.task);
      log(`[chain ${chain.name}] run ${runId}: ${problems.length === 0 ? `all ${graph.taskNames.length} tasks succeeded in dependency order (${startOrder.join(' → ')})` : problems.join('; ')}`);
      return {
        chain: chain.name,
        runId,
        startOrder,
        statuses: list.map(({ task, state, startedAt, finishedAt, result, error }) => ({ task, state, startedAt, finishedAt, result, error })),
        ok: problems.length === 0,
        problems,
      };
    }),
  );
}
