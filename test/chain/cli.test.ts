import { Command } from 'commander';
import { dateRange, statusTable } from '../../lib/chain/client';
import { loadDeclaration, register } from '../../lib/cli/chain';

describe('chain command line (pure parts)', () => {
  test('GIVEN --from and --to WHEN a backfill is planned THEN it is one run id per day, inclusive', () => {
    expect(dateRange('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(() => dateRange('2026-03-02', '2026-03-01')).toThrow(/--to \(2026-03-01\) must be a valid date on or after --from \(2026-03-02\)/);
    expect(() => dateRange('20260301', '2026-03-01')).toThrow(/YYYY-MM-DD/);
  });

  test('GIVEN an unknown chain THEN the error lists the example chains', () => {
    expect(() => loadDeclaration('nope')).toThrow(/unknown chain 'nope' \(examples: nightly, forkjoin/);
    expect(loadDeclaration('forkjoin').tasks.map((t) => t.name)).toEqual(['extract', 'users', 'orders', 'report']);
  });

  test('GIVEN `chain graph forkjoin` WHEN run THEN it prints the Mermaid flowchart', async () => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      const program = new Command().exitOverride();
      register(program);
      await program.parseAsync(['node', 'cli', 'chain', 'graph', 'forkjoin']);
    } finally {
      spy.mockRestore();
    }
    expect(out.join('')).toContain('flowchart LR');
    expect(out.join('')).toContain('users --> report');
  });

  test('GIVEN statuses THEN the status table has one line per task with its state', () => {
    const table = statusTable([
      { task: 'extract', state: 'succeeded', attempt: 1, generation: 0, startedAt: 'a', finishedAt: 'b', result: { uri: 'dynamodb://t/k', rows: 60 } },
      { task: 'users', state: 'failed', attempt: 3, generation: 0, error: 'Error: boom' },
      { task: 'report', state: 'waiting' },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^TASK\s+STATE\s+ATTEMPT/);
    expect(lines[1]).toMatch(/^extract\s+succeeded\s+1\s+0\s+a\s+b\s+\{"uri":"dynamodb:\/\/t\/k","rows":60\}$/);
    expect(lines[2]).toMatch(/users\s+failed\s+3.*Error: boom$/);
    expect(lines[3]).toMatch(/^report\s+waiting/);
  });
});
