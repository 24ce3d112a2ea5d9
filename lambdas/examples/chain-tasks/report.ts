import { defineTask } from '../../runtime/chain/define-task';
import { injectFaults, pointer, readRows, writeRows, writeSummary } from './data';

/** Report: joins users and order totals into revenue per country. */
export const handler = defineTask(async ({ runId, task, inputs }) => {
  await injectFaults(task, runId);
  const users = await readRows<{ userId: string; country: string }>(inputs.users);
  const totals = await readRows<{ userId: string; orders: number; amountCents: number }>(inputs.orders);
  const countryOf = new Map(users.map((u) => [u.userId, u.country]));
  const byCountry = new Map<string, { orders: number; amountCents: number }>();
  for (const t of totals) {
    const country = countryOf.get(t.userId) ?? 'unknown';
    const c = byCountry.get(country) ?? { orders: 0, amountCents: 0 };
    byCountry.set(country, { orders: c.orders + t.orders, amountCents: c.amountCents + t.amountCents });
  }
  const pk = `report#${runId}`;
  const rows = [...byCountry].sort(([a], [b]) => a.localeCompare(b)).map(([country, c]) => ({ country, ...c }));
  await writeRows(pk, rows);
  await writeSummary(pk, { orders: rows.reduce((s, r) => s + r.orders, 0), amountCents: rows.reduce((s, r) => s + r.amountCents, 0) });
  return pointer(pk, rows.length);
});
