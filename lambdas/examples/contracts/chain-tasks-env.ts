/**
 * Environment of the example chain tasks: written by the example chain stacks
 * (lib/examples/chain-stacks.ts) and read by lambdas/examples/chain-tasks through these names only.
 */
export const ChainTasksEnv = {
  /** The table the example tasks keep their data in (`pk`, `sk`). */
  DATA_TABLE_NAME: 'DATA_TABLE_NAME',
  /** `true` turns on `fail-<task>` / `slow-<task>` / `hold-<task>` run ids. */
  EXAMPLE_FAULT_INJECTION: 'EXAMPLE_FAULT_INJECTION',
  /** How long a `slow-<task>` run id makes the task take. */
  EXAMPLE_SLOW_MS: 'EXAMPLE_SLOW_MS',
  /** How long the sleep task waits (a per-task `TASK_SLEEP_MS_<TASK>` wins, see `sleepEnv`). */
  TASK_SLEEP_MS: 'TASK_SLEEP_MS',
} as const;

/** The per-task sleep variable of `task`: `TASK_SLEEP_MS_<TASK>`. */
export function sleepEnv(task: string): string {
  return `${ChainTasksEnv.TASK_SLEEP_MS}_${task.replace(/-/g, '_').toUpperCase()}`;
}
