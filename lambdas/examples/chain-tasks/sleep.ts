import { defineTask } from '../../runtime/chain/define-task';
import { integer } from '../../runtime/env';
import { ChainTasksEnv, sleepEnv } from '../contracts/chain-tasks-env';

/**
 * A task that only takes time: it waits TASK_SLEEP_MS (a per-task duration in
 * TASK_SLEEP_MS_<TASK> wins) and returns a pointer naming itself. Benchmarks and large-chain
 * tests use it; it touches no data.
 */
export const handler = defineTask(async ({ runId, task, inputs }) => {
  // Wall clock with sub-millisecond precision, for the hop latency benchmark.
  const startedAtMs = performance.timeOrigin + performance.now();
  const ms = integer(process.env, sleepEnv(task), integer(process.env, ChainTasksEnv.TASK_SLEEP_MS, 0));
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  return { uri: `memory://${runId}/${task}`, rows: Object.keys(inputs).length, sleptMs: ms, startedAtMs };
});
