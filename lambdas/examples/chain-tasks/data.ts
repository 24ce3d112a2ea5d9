import { createHash } from 'node:crypto';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getDocumentClient } from '../../runtime/dynamo';
import { integer, required } from '../../runtime/env';
import { logger } from '../../runtime/logger';
import { ChainTasksEnv } from '../contracts/chain-tasks-env';
import type { ResultPointer } from '../../runtime/chain/events';

/**
 * Data helpers of the example tasks: they keep their data in one DynamoDB table (`pk`, `sk`)
 * and pass `dynamodb://<table>/<pk>` pointers to each other.
 */
export function dataTable(): string {
  return required(process.env, ChainTasksEnv.DATA_TABLE_NAME, 'the example chain stacks');
}

export function pointer(pk: string, rows: number): ResultPointer {
  return { uri: `dynamodb://${dataTable()}/${encodeURIComponent(pk)}`, rows };
}

export function parsePointer(p: ResultPointer | undefined): { table: string; pk: string } {
  const m = /^dynamodb:\/\/([^/]+)\/(.+)$/.exec(p?.uri ?? '');
  if (!m) throw new Error(`expected a dynamodb://<table>/<key> pointer, got ${JSON.stringify(p)}`);
  return { table: m[1], pk: decodeURIComponent(m[2]) };
}

export async function writeRows(pk: string, rows: Array<Record<string, unknown>>): Promise<void> {
  const db = getDocumentClient();
  const items = rows.map((row, i) => ({ pk, sk: `row#${String(i).padStart(5, '0')}`, ...row }));
  for (let i = 0; i < items.length; i += 25) {
    let pending: Record<string, unknown>[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round > 8) throw new Error(`could not write ${pending.length} rows to ${dataTable()}`);
      const out = await db.send(new BatchWriteCommand({ RequestItems: { [dataTable()]: pending as never } }));
      pending = (out.UnprocessedItems?.[dataTable()] as Record<string, unknown>[] | undefined) ?? [];
    }
  }
}

export async function readRows<T = Record<string, unknown>>(p: ResultPointer | undefined): Promise<T[]> {
  const { table, pk } = parsePointer(p);
  const rows: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await getDocumentClient().send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ExclusiveStartKey: start, ConsistentRead: true }));
    rows.push(...((out.Items ?? []) as T[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return rows;
}

export async function writeSummary(pk: string, summary: Record<string, unknown>): Promise<void> {
  await getDocumentClient().send(new PutCommand({ TableName: dataTable(), Item: { pk, sk: 'summary', ...summary } }));
}

/** A deterministic pseudo-random sequence seeded by the run id: the same run always has the same data. */
export function seededRandom(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32BE(0) || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The item that releases a `hold-<task>` task of a run (tests write it with `releaseKey`). */
export function releaseKey(runId: string, task: string): { pk: string; sk: string } {
  return { pk: `release#${runId}`, sk: task };
}

/** How long a held task waits for its release at most, then goes on (a test that forgot it must not hang its worker). */
const HOLD_LIMIT_MS = 120_000;

/** Waits until the release item of this run and task exists in the data table. */
async function holdUntilReleased(task: string, runId: string): Promise<void> {
  const deadline = Date.now() + HOLD_LIMIT_MS;
  while (Date.now() < deadline) {
    const out = await getDocumentClient().send(new GetCommand({ TableName: dataTable(), Key: releaseKey(runId, task), ConsistentRead: true }));
    if (out.Item) return;
    await sleep(200);
  }
  logger.warn('held task was not released in time; going on', { task, runId, holdLimitMs: HOLD_LIMIT_MS });
}

/**
 * Fault injection for tests and demos, on only when EXAMPLE_FAULT_INJECTION=true: a run id
 * containing `fail-<task>` makes that task throw; `slow-<task>` makes it take EXAMPLE_SLOW_MS;
 * `hold-<task>` keeps it running until the test writes its `releaseKey` item (a window with no
 * timing in it: "still running" holds as long as the test needs).
 * Each call is logged (`task function called`), so fault tests count the calls per run and task.
 */
export async function injectFaults(task: string, runId: string): Promise<void> {
  if (process.env[ChainTasksEnv.EXAMPLE_FAULT_INJECTION] !== 'true') return;
  logger.info('task function called', { task, runId });
  if (runId.includes(`slow-${task}`)) await sleep(integer(process.env, ChainTasksEnv.EXAMPLE_SLOW_MS, 3000));
  if (runId.includes(`hold-${task}`)) await holdUntilReleased(task, runId);
  if (runId.includes(`fail-${task}`)) throw new Error(`injected failure of ${task} for run ${runId}`);
}
