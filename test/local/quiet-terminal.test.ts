import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LogFiles } from '../../lib/cli/log-files';
import { countLines } from '../../lib/cli/local-run';
import { synthesizeApp } from '../../lib/local/emulator/synth';

// What keeps `npm start` and `run` quiet: logs to files, the bundler's output to a file, a short summary.
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'quiet-'));

describe('log files', () => {
  test('GIVEN lines of two functions and of the emulator WHEN written THEN each goes to its own file, in order', async () => {
    // GIVEN
    const logs = new LogFiles(tmp());
    // WHEN
    logs.write('[Fn-A] one', { functionName: 'Fn-A', requestId: 'r1' });
    logs.write('[emulator] started');
    logs.write('[Fn-B] two', { functionName: 'Fn-B' });
    logs.write('[Fn-A] three', { functionName: 'Fn-A', requestId: 'r2' });
    await logs.close();
    // THEN
    const read = (name: string) => fs.readFileSync(path.join(logs.dir, name), 'utf8');
    expect(read('Fn-A.log')).toBe('[Fn-A] one\n[Fn-A] three\n');
    expect(read('Fn-B.log')).toBe('[Fn-B] two\n');
    expect(read('emulator.log')).toBe('[emulator] started\n');
  });
});

describe('synthesizeApp with a log file', () => {
  /** An app dir whose "synth" prints like esbuild does, then writes (or fails to write) an assembly. */
  function app(script: string): string {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'app.js'), script);
    fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.js' }));
    return dir;
  }

  test('GIVEN an app that prints bundle listings WHEN synthesized THEN they are in the log file', () => {
    const dir = app("console.log('  ...building/index.js  922.6kb'); console.error('warn'); require('fs').writeFileSync(process.env.CDK_OUTDIR + '/manifest.json', '{}');");
    const log = path.join(dir, 'synth.log');
    synthesizeApp(dir, { logFile: log });
    expect(fs.readFileSync(log, 'utf8')).toBe('  ...building/index.js  922.6kb\nwarn\n');
  });

  test('GIVEN an app that fails WHEN synthesized THEN the error carries the end of its output', () => {
    const dir = app("console.error('Error: consumerName must be 1-100 characters, got \\'\\''); process.exit(3);");
    expect(() => synthesizeApp(dir, { logFile: path.join(dir, 'synth.log') })).toThrow(/'node app\.js' failed \(output in .*synth\.log\):\nError: consumerName must be 1-100 characters/);
  });
});

describe('countLines', () => {
  test('GIVEN counts and failures WHEN summarized THEN two lines plus one per failure, at most the cap', () => {
    const failures = Array.from({ length: 10 }, (_, i) => ({ functionName: `fn${i}`, outcome: 'failed', error: 'Error: boom' })) as any[];
    const lines = countLines({ invocations: 12, byOutcome: { succeeded: 2, failed: 10 }, deadLettered: { 'posts.re.dlt': 2 }, otherDestinations: 0 }, failures, 3);
    expect(lines).toEqual([
      'invocations: 12 (2 succeeded, 10 failed, 0 timed-out, 0 partial)',
      'dead-lettered records: 2 (posts.re.dlt: 2)',
      '  fn0: failed (Error: boom)',
      '  fn1: failed (Error: boom)',
      '  fn2: failed (Error: boom)',
      '  … and 7 more in the report',
    ]);
  });

  test('GIVEN alarm states WHEN summarized THEN one line with the clock, the count per state and the first names in ALARM', () => {
    const alarms = { byState: { OK: 38, ALARM: 4 }, inAlarm: ['a1', 'a2', 'a3', 'a4'], timeScale: 60 };
    const lines = countLines({ invocations: 0, byOutcome: {}, deadLettered: {}, otherDestinations: 0, alarms }, []);
    expect(lines[2]).toBe('alarms (clock x60): 38 OK, 4 ALARM, 0 INSUFFICIENT_DATA: a1, a2, a3 and 1 more');
  });
});
