import { defineTask } from '../../runtime/chain/define-task';
import { injectFaults, pointer, readRows, writeRows } from './data';

/** Users: reads the extract and keeps one row per user with its country. */
export const handler = defineTask(async ({ runId, task, inputs }) => {
  await injectFaults(task, runId);
  const rows = await readRows<{ kind: string; userId: string; country: string }>(inputs.extract);
  const users = rows.filter((r) => r.kind === 'user').map(({ userId, country }) => ({ userId, country }));
  const pk = `users#${runId}`;
  await writeRows(pk, users);
  return pointer(pk, users.length);
});
