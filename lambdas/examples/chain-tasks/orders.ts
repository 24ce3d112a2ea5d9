import { defineTask } from '../../runtime/chain/define-task';
import { injectFaults, pointer, readRows, writeRows } from './data';

/** Orders: reads the extract and sums order amounts per user. */
export const handler = defineTask(async ({ runId, task, inputs }) => {
  await injectFaults(task, runId);
  const rows = await readRows<{ kind: string; userId: string; amountCents: number }>(inputs.extract);
  const totals = new Map<string, { orders: number; amountCents: number }>();
  for (const r of rows.filter((x) => x.kind === 'order')) {
    const t = totals.get(r.userId) ?? { orders: 0, amountCents: 0 };
    totals.set(r.userId, { orders: t.orders + 1, amountCents: t.amountCents + r.amountCents });
  }
  const pk = `orders#${runId}`;
  await writeRows(pk, [...totals].map(([userId, t]) => ({ userId, ...t })));
  return pointer(pk, totals.size);
});
