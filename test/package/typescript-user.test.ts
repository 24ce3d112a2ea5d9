import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A user's TypeScript project that depends on the package (linked into its node_modules, as
 * `npm install` of a git or file dependency does) and imports the three entry points. Its
 * tsconfig uses `moduleResolution: node` (node10), which ignores package.json `exports`: the
 * subpaths must resolve through `typesVersions`. The same file then runs under tsx.
 */
describe('the package in a TypeScript user project', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-user-'));
  beforeAll(() => {
    fs.mkdirSync(path.join(dir, 'node_modules'));
    for (const [name, target] of [['msk-event-pipelines', ROOT], ['aws-cdk-lib', path.join(ROOT, 'node_modules', 'aws-cdk-lib')], ['constructs', path.join(ROOT, 'node_modules', 'constructs')]]) {
      fs.symlinkSync(target, path.join(dir, 'node_modules', name), 'dir');
    }
    // A user project has its own manifest and lock file; its function entries bundle from there.
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ts-user', version: '1.0.0', private: true }));
    fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'ts-user', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'ts-user', version: '1.0.0' } } }));
    fs.writeFileSync(path.join(dir, 'task.ts'), "import { defineTask } from 'msk-event-pipelines/runtime';\nexport const handler = defineTask(async ({ runId }) => ({ uri: `memory://${runId}` }));\n");
    fs.writeFileSync(
      path.join(dir, 'app.ts'),
      [
        "import * as path from 'path';",
        "import { App, Stack } from 'aws-cdk-lib';",
        "import { KafkaCluster, TaskChain } from 'msk-event-pipelines';",
        "import { synthesizeApp, type InvokeResult } from 'msk-event-pipelines/local';",
        "import { createEvent, decodeEvent, eventMessage, type CloudEvent } from 'msk-event-pipelines/runtime';",
        "const app = new App();",
        "const stack = new Stack(app, 'UserStack');",
        "const chain = new TaskChain(stack, 'Chain', { cluster: new KafkaCluster(stack, 'Cluster'), chainName: 'user', tasks: [{ name: 'a', entry: path.join(__dirname, 'task.ts') }] });",
        "const event: CloudEvent<{ n: number }> = createEvent({ type: 't', source: 's', data: { n: 7 } });",
        'const back = decodeEvent<{ n: number }>(eventMessage(event).value as Buffer);',
        'const none: InvokeResult | undefined = undefined;',
        "const task = app.synth().getStackByName('UserStack').template.Resources;",
        "const bundled = Object.values<any>(task).some((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.TASK_NAME === 'a');",
        'console.log(JSON.stringify({ chain: chain.chainName, n: back.data.n, synthesizeApp: typeof synthesizeApp, none: none ?? null, bundled }));',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'commonjs', moduleResolution: 'node', lib: ['ES2022'], strict: true, esModuleInterop: true, skipLibCheck: true,
          noEmit: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        },
        files: ['app.ts', 'task.ts'],
      }),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN moduleResolution node10 WHEN the user project is type-checked THEN every entry point resolves, with its types', () => {
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
  });

  test('GIVEN the same project WHEN run with tsx THEN the entry points load and work, and the user\'s task bundles from the user\'s project', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(dir, 'app.ts')], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ chain: 'user', n: 7, synthesizeApp: 'function', none: null, bundled: true });
  });
});
