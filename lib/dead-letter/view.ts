import { describeValue } from './dead-letter-record';
import type { DeadLetterState } from './redrive';

/** A dead letter as people see it, in the terminal and in the console (JSON-friendly, no bytes). */
export interface DeadLetterView {
  readonly partition: number;
  readonly offset: number;
  readonly time: string;
  readonly state: DeadLetterState['state'];
  readonly writer: 'runtime' | 'lambda';
  /** `<topic>-<partition>@<offset>` of the failed record, as far as the dead letter says. */
  readonly source: string;
  readonly key: string | null;
  readonly type?: string;
  readonly id?: string;
  readonly value: string;
  readonly reason: string;
  readonly attempts?: number;
  readonly redriveCount: number;
  /** Header names of the failed record (values are not shown: they may carry secrets). */
  readonly headers: string[];
}

export function deadLetterView({ record, state }: DeadLetterState, maxValue = 2000): DeadLetterView {
  const value = describeValue(record.value, maxValue);
  const s = record.source;
  return {
    partition: record.partition,
    offset: record.offset,
    time: new Date(record.timestamp).toISOString(),
    state,
    writer: record.writer,
    source: `${s.topic ?? '?'}${s.partition !== undefined ? `-${s.partition}` : ''}${s.offset !== undefined ? `@${s.offset}` : ''}`,
    key: record.key === null ? null : record.key.toString('utf8'),
    type: value.type,
    id: value.id,
    value: value.text,
    reason: record.reason,
    attempts: record.attempts,
    redriveCount: record.redriveCount,
    headers: [...new Set(record.headers.map(([name]) => name))],
  };
}

/** One line per dead letter, for `dlq list`. */
export function deadLetterLines(views: readonly DeadLetterView[]): string[] {
  const rows = [['AT', 'STATE', 'SOURCE', 'KEY', 'TYPE / ID', 'ATTEMPTS', 'REDRIVES', 'REASON']];
  for (const v of views) {
    rows.push([`${v.partition}:${v.offset}`, v.state, v.source, v.key ?? '', [v.type, v.id].filter(Boolean).join(' ') || '-', v.attempts?.toString() ?? '?', String(v.redriveCount), v.reason]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
}
