import { defineTask } from '../../runtime/chain/define-task';
import { injectFaults, pointer, seededRandom, writeRows } from './data';

const COUNTRIES = ['CN', 'DE', 'US', 'BR', 'IN'];

/** Extract: writes the run's raw rows (users and orders), derived deterministically from the run id. */
export const handler = defineTask(async ({ runId, task }) => {
  await injectFaults(task, runId);
  const random = seededRandom(runId);
  const users = Array.from({ length: 20 }, (_, i) => ({ kind: 'user', userId: `u${i}`, country: COUNTRIES[Math.floor(random() * COUNTRIES.length)] }));
  const orders = Array.from({ length: 40 }, (_, i) => ({ kind: 'order', orderId: `o${i}`, userId: `u${Math.floor(random() * 20)}`, amountCents: 100 + Math.floor(random() * 9900) }));
  const pk = `extract#${runId}`;
  await writeRows(pk, [...users, ...orders]);
  return pointer(pk, users.length + orders.length);
});
