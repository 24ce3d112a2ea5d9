import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assemblyIsCurrent, LOCAL_MODE_CONTEXT, synthesizeApp } from '../../lib/local/emulator/synth';

/**
 * `synthesizeApp(…, { synth: 'if-stale' })`, on an app whose "synthesis" is a one-line node
 * command that writes a manifest and counts its runs: what is decided here does not depend on
 * the CDK, only on which files are newer than the assembly.
 */
describe('synthesizeApp if stale', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-app-'));
  const runs = path.join(root, 'runs.txt');
  const outDir = path.join(root, 'cdk.out');
  const write = (rel: string, text = 'x', ageMs = 0) => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    const at = new Date(Date.now() - ageMs);
    fs.utimesSync(file, at, at);
  };
  /** Makes the assembly 10 s old, so anything written now is newer. */
  const ageAssembly = () => {
    const at = new Date(Date.now() - 10_000);
    fs.utimesSync(path.join(outDir, 'manifest.json'), at, at);
  };
  const synthCount = () => (fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8').length : 0);
  const script = `const fs=require('fs');fs.mkdirSync(process.env.CDK_OUTDIR,{recursive:true});fs.writeFileSync(process.env.CDK_OUTDIR+'/manifest.json','{}');fs.appendFileSync('runs.txt','1');fs.writeFileSync('context.json',process.env.CDK_CONTEXT_JSON)`;

  beforeAll(() => {
    write('cdk.json', JSON.stringify({ app: `node -e "${script}"`, watch: { include: ['lib/**', 'bin/**'], exclude: ['**/*.md'] }, context: { mode: 'x' } }), 60_000);
    write('lib/stack.ts', 'old', 60_000);
    write('README.md', 'old', 60_000);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('GIVEN no assembly WHEN asked if stale THEN it synthesizes, with the CLI context that adds construct paths and the local-mode context', () => {
    synthesizeApp(root, { synth: 'if-stale' });
    expect(synthCount()).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(root, 'context.json'), 'utf8'))).toEqual({ ...LOCAL_MODE_CONTEXT, 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, mode: 'x' });
  });

  test('GIVEN an assembly newer than the sources THEN it is current and is not synthesized again', () => {
    expect(assemblyIsCurrent(root, outDir)).toBe(true);
    synthesizeApp(root, { synth: 'if-stale' });
    expect(synthCount()).toBe(1);
  });

  test.each([
    ['a file outside the watched folders', 'docs/notes.txt'],
    ['an excluded file inside them', 'lib/NOTES.md'],
    ['a dependency', 'node_modules/x/index.js'],
    ['a hidden folder', '.local/report.json'],
  ])('GIVEN %s changed THEN the assembly is still current', (_what, rel) => {
    ageAssembly();
    write(rel, 'new');
    expect(assemblyIsCurrent(root, outDir)).toBe(true);
  });

  test.each([['a watched source', 'lib/stack.ts'], ['a new file in a watched folder', 'bin/app.ts'], ['cdk.json (context)', 'cdk.json']])('GIVEN %s changed THEN it is stale and is synthesized again', (_what, rel) => {
    const before = synthCount();
    ageAssembly();
    write(rel, rel === 'cdk.json' ? fs.readFileSync(path.join(root, 'cdk.json'), 'utf8') : 'new');
    expect(assemblyIsCurrent(root, outDir)).toBe(false);
    synthesizeApp(root, { synth: 'if-stale' });
    expect(synthCount()).toBe(before + 1);
    expect(assemblyIsCurrent(root, outDir)).toBe(true);
  });
});
