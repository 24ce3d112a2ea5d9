import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { defineTask } from '../../runtime/chain/define-task';
import { getDocumentClient } from '../../runtime/dynamo';
import { dataTable, injectFaults, parsePointer, pointer, writeSummary } from './data';

/** Nightly task3: publishes the daily report from task2's statistics. */
export const handler = defineTask(async ({ runId, task, inputs }) => {
  await injectFaults(task, runId);
  const { table, pk } = parsePointer(inputs.task2);
  const daily = (await getDocumentClient().send(new GetCommand({ TableName: table, Key: { pk, sk: 'summary' }, ConsistentRead: true }))).Item;
  if (!daily) throw new Error(`task2's statistics ${pk} are missing in ${table}`);
  const reportKey = `nightly-report#${runId}`;
  await writeSummary(reportKey, { line: `${runId}: ${daily.total} views, peak at ${daily.peakHour}:00`, table: dataTable() });
  return pointer(reportKey, 1);
});
