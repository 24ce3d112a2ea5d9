import { defineTask } from '../../runtime/chain/define-task';
import { injectFaults, pointer, readRows, writeSummary } from './data';

/** Nightly task2: aggregates task1's hourly views into the daily statistics. */
export const handler = defineTask(async ({ runId, task, inputs }) => {
  await injectFaults(task, runId);
  const hours = await readRows<{ hour: number; views: number }>(inputs.task1);
  const total = hours.reduce((s, h) => s + h.views, 0);
  const peak = hours.reduce((best, h) => (h.views > best.views ? h : best), { hour: -1, views: -1 });
  const pk = `daily#${runId}`;
  await writeSummary(pk, { total, peakHour: peak.hour, hours: hours.length });
  return pointer(pk, 1);
});
