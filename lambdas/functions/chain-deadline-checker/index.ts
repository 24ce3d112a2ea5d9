import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { publish } from '../../runtime/producer';
import { businessDate, ChainEnv, integer, list, required } from '../../runtime/chain/config';
import { runDeadlineMissed } from '../../runtime/chain/events';
import { JoinStore } from '../../runtime/chain/join-store';
import { taskMetrics } from '../../runtime/chain/metrics';

/** Final tasks of `runId` that have not succeeded (a rerun in flight counts with its last success). */
export async function missingFinalTasks(store: JoinStore, chain: string, runId: string, finalTasks: string[]): Promise<string[]> {
  const statuses = await store.statuses(chain, runId, finalTasks);
  return finalTasks.filter((t) => !statuses.get(t)?.lastResult);
}

/**
 * Runs at the chain's deadline: when the final tasks of the day's run have not all succeeded, it
 * emits DeadlineMissed = 1 (the alarm's metric), logs an error and publishes run.deadline.missed.
 */
export async function handler(event: { runId?: string } = {}): Promise<{ runId: string; missing: string[] }> {
  const env = process.env;
  const chain = required(env, ChainEnv.CHAIN_NAME);
  const runId =
    event?.runId ?? businessDate(new Date(), env[ChainEnv.CHAIN_TIME_ZONE] ?? 'UTC', integer(env, ChainEnv.DEADLINE_RUN_DATE_OFFSET_DAYS, 0));
  const store = new JoinStore(getDocumentClient(), required(env, ChainEnv.JOIN_TABLE_NAME));
  const missing = await missingFinalTasks(store, chain, runId, list(env, ChainEnv.CHAIN_FINAL_TASKS));
  taskMetrics(chain, undefined, { DeadlineMissed: missing.length > 0 ? 1 : 0 });
  if (missing.length > 0) {
    logger.error('run deadline missed', { chain, runId, missing });
    await publish(required(env, ChainEnv.CHAIN_TOPIC), runDeadlineMissed(chain, runId, { deadline: new Date().toISOString(), missing }), { key: runId });
  } else {
    logger.info('run met its deadline', { chain, runId });
  }
  return { runId, missing };
}
