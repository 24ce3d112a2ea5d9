import { required as requiredEnv, type Env } from '../env';

/** Environment of chain functions, set by the TaskChain construct. */
export const ChainEnv = {
  CHAIN_NAME: 'CHAIN_NAME',
  /** What the function is in its chain: task, run-requester or deadline-checker (the emulator's scenarios read it). */
  CHAIN_ROLE: 'CHAIN_ROLE',
  CHAIN_TOPIC: 'CHAIN_TOPIC',
  JOIN_TABLE_NAME: 'JOIN_TABLE_NAME',
  RUN_RETENTION_DAYS: 'RUN_RETENTION_DAYS',
  TASK_NAME: 'TASK_NAME',
  /** Comma-separated names of the tasks this one depends on. */
  TASK_DEPENDS_ON: 'TASK_DEPENDS_ON',
  TASK_MAX_ATTEMPTS: 'TASK_MAX_ATTEMPTS',
  TASK_RETRY_BASE_MS: 'TASK_RETRY_BASE_MS',
  /** Time zone of the run id (business date), for the run requester and deadline checker. */
  CHAIN_TIME_ZONE: 'CHAIN_TIME_ZONE',
  /** Comma-separated final tasks, for the deadline checker. */
  CHAIN_FINAL_TASKS: 'CHAIN_FINAL_TASKS',
  DEADLINE_RUN_DATE_OFFSET_DAYS: 'DEADLINE_RUN_DATE_OFFSET_DAYS',
} as const;

export { integer, list } from '../env';

/** A chain variable that must be set; the error names the TaskChain construct as its writer. */
export function required(env: Env, name: string): string {
  return requiredEnv(env, name, 'the TaskChain construct');
}

/** The business date (YYYY-MM-DD) of `at` in `timeZone`, shifted by `offsetDays` back. */
export function businessDate(at: Date, timeZone: string, offsetDays = 0): string {
  const shifted = new Date(at.getTime() - offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(shifted);
}
