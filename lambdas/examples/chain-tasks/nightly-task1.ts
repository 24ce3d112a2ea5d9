import { defineTask } from '../../runtime/chain/define-task';
import { injectFaults, pointer, seededRandom, writeRows } from './data';

/** Nightly task1: collects the day's hourly page views (synthetic, derived from the run id). */
export const handler = defineTask(async ({ runId, task }) => {
  await injectFaults(task, runId);
  const random = seededRandom(`views/${runId}`);
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, views: Math.floor(random() * 1000) }));
  const pk = `views#${runId}`;
  await writeRows(pk, hours);
  return pointer(pk, hours.length);
});
