import { logger } from '../../runtime/logger';
import { publish } from '../../runtime/producer';
import { businessDate, ChainEnv, required } from '../../runtime/chain/config';
import { runRequested } from '../../runtime/chain/events';

/** Input of the schedule target (or a manual invoke). */
export interface RunRequest {
  /** @default the business date in the chain's time zone */
  runId?: string;
}

/**
 * The schedule's target: publishes run.requested for today's business date in the chain's time
 * zone (a run scheduled at 02:00 Asia/Shanghai is that Shanghai date, not the UTC one).
 */
export async function handler(event: RunRequest = {}): Promise<{ runId: string }> {
  const chain = required(process.env, ChainEnv.CHAIN_NAME);
  const runId = event?.runId ?? businessDate(new Date(), process.env[ChainEnv.CHAIN_TIME_ZONE] ?? 'UTC');
  await publish(required(process.env, ChainEnv.CHAIN_TOPIC), runRequested(chain, runId, 'schedule'), { key: runId });
  logger.info('run requested', { chain, runId });
  return { runId };
}
