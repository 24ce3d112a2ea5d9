import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkAssembly, formatReport } from '../../lib/cli/check';
import { synthToDir } from '../support/synth';
import { buildRightApp, buildWrongApp, WRONG } from './check-apps';

const ROOT = path.join(__dirname, '..', '..');

/** `msk-pipelines check` over synthesized cloud assemblies (bundles included), without services. */
describe('msk-pipelines check', () => {
  let wrongDir: string;
  let rightDir: string;

  beforeAll(() => {
    // Construct paths in the templates, as `cdk synth` writes them.
    const context = { 'aws:cdk:enable-path-metadata': true };
    wrongDir = synthToDir((app) => buildWrongApp(app), context);
    rightDir = synthToDir((app) => buildRightApp(app), context);
  }, 120_000);

  afterAll(() => {
    for (const dir of [wrongDir, rightDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN an app that breaks every rule once WHEN checked THEN each rule reports its resource, and what crosses stacks is followed (an imported function, an emitter judged by its bundle)', () => {
    // WHEN
    const report = checkAssembly(wrongDir);
    // THEN
    const seen = [...new Set(report.findings.map((f) => `${f.rule} ${f.stack} ${f.logicalId.replace(/[0-9A-F]{8}$/, '')}`))].map((l) => l.split(' '));
    const expected = Object.entries(WRONG).flatMap(([rule, ids]) => ids.map((id) => [rule, 'Wrong', id]));
    expect(seen.filter(([, stack]) => stack === 'Wrong').sort()).toEqual(expected.sort());
    expect(report.findings.filter((f) => f.stack === 'Watcher').map((f) => [f.rule, f.message])).toEqual([
      ['AlarmMetricEmitted', 'Shop OrdersPlaced {} is declared by Wrong/Consumer/Resource, but no such function\'s bundled code names OrdersPlaced in namespace Shop'],
      ['KafkaConsumerDeadLetter', 'function Wrong/Consumer/Resource has no dead-letter path: no DEAD_LETTER_TOPIC or DEAD_LETTER_QUEUE_URL in its environment and no on-failure destination on the mapping'],
    ]);
    expect(report.errors).toBe(report.findings.length);
    expect(report.stacks).toEqual(['Wrong', 'Watcher']);
  });

  test('GIVEN the same kinds of resources built with the library\'s constructs WHEN checked THEN nothing is found (negative control)', () => {
    const report = checkAssembly(rightDir);
    expect(report.findings.map((f) => `${f.rule} ${f.stack}/${f.logicalId}: ${f.message}`)).toEqual([]);
    expect(report.stacks).toEqual(['Right']);
  });

  test('GIVEN a finding WHEN the report is printed THEN it names the rule, the resource, its construct path, what is wrong and why', () => {
    const text = formatReport(checkAssembly(wrongDir));
    expect(text).toMatch(/^error {3}AlarmMetricEmitted {2}Wrong\/TypoAlarm[0-9A-F]{8} \(Wrong\/TypoAlarm\/Resource\)\n {8}no function in the cloud assembly emits MskPipelines DeadLetterdRecords \{service=billing\}\n {8}why: CloudWatch identifies a metric by namespace, name and all of its dimensions/m);
    expect(text.split('\n').pop()).toMatch(/^check: 13 errors, 0 warnings in 2 stacks \(11 rules, /);
  });

  test('GIVEN the command line WHEN an assembly has an error THEN it exits 1, and 0 on a clean one; --json prints the findings', () => {
    const run = (...args: string[]) => spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'bin', 'cli.ts'), 'check', '--no-synth', ...args], { cwd: ROOT, encoding: 'utf8' });
    const wrong = run('--assembly', wrongDir, '--json');
    expect(wrong.status).toBe(1);
    const json = JSON.parse(wrong.stdout);
    expect(json.errors).toBe(13);
    expect(json.findings[0]).toEqual(expect.objectContaining({ rule: expect.any(String), stack: expect.any(String), logicalId: expect.any(String), path: expect.any(String), message: expect.any(String), explanation: expect.any(String) }));
    const right = run('--assembly', rightDir);
    expect(right.stderr).toBe('');
    expect(right.status).toBe(0);
    expect(right.stdout).toMatch(/^check: 0 errors, 0 warnings in 1 stack \(11 rules, /);
  });
});
