import type { Context } from 'aws-lambda';
import { getDocumentClient } from '../dynamo';
import { logger } from '../logger';
import { kafkaRecordHandler, type KafkaRecordHandler } from '../record-handler';
import { publish } from '../producer';
import { ChainEnv, integer, list, required } from './config';
import { JoinStore } from './join-store';
import { TaskRunner, type TaskFunction } from './task-runner';

export type { TaskContext, TaskFunction } from './task-runner';
export type { ResultPointer } from './events';

/**
 * The one call a task author makes:
 *
 *   export const handler = defineTask(async ({ runId, inputs }) => ({ uri: 's3://…', rows: 42 }));
 *
 * The returned Lambda handler reads the chain's events from its mapping and runs `fn` at most
 * once per run (and per rerun) when its dependencies have succeeded. Configuration comes from
 * the environment the TaskChain construct sets.
 */
export function defineTask(fn: TaskFunction, env: Record<string, string | undefined> = process.env): KafkaRecordHandler {
  let runner: TaskRunner | undefined;
  const getRunner = () => {
    runner ??= new TaskRunner(
      {
        chain: required(env, ChainEnv.CHAIN_NAME),
        task: required(env, ChainEnv.TASK_NAME),
        dependsOn: list(env, ChainEnv.TASK_DEPENDS_ON),
        maxAttempts: integer(env, ChainEnv.TASK_MAX_ATTEMPTS, 3, 1),
        retryBaseMs: integer(env, ChainEnv.TASK_RETRY_BASE_MS, 1000),
        defaultLeaseMs: 15 * 60 * 1000,
      },
      fn,
      new JoinStore(getDocumentClient(), required(env, ChainEnv.JOIN_TABLE_NAME), { retentionDays: integer(env, ChainEnv.RUN_RETENTION_DAYS, 30, 1) }),
      (runId, events) => publish(required(env, ChainEnv.CHAIN_TOPIC), events, { key: runId }),
      logger,
    );
    return runner;
  };
  // Store or broker errors throw: the record handler retries them, then dead-letters the record.
  const handler = kafkaRecordHandler(async (event, ctx) => {
    const context: Context | undefined = ctx.lambdaContext;
    await getRunner().handle(event, () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY);
  });
  return handler;
}
