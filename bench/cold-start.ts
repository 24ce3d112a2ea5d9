/**
 * Cold start of the example app's functions: for every function of the synthesized app, the
 * minified bundle's bytes and the median time a fresh Node process takes to `require` it (the
 * require only: what Lambda's init phase spends loading the handler's module), against
 *  - the floor, a handler that only imports kafkajs, bundled with the same options in this run;
 *  - the same functions built from a base commit (default BASE_COMMIT, the main before the
 *    functions were made lean), synthesized in this run from a temporary git worktree.
 * Runs are interleaved (each round loads every bundle once, in a new random order) so that the
 * machine's load drifts over all of them alike. Each bundle also loads with `--enable-source-maps`, which is what
 * turning source-mapped stack traces on would cost.
 *
 * What a bundle leaves outside itself (the AWS SDK v3) resolves through NODE_PATH from this
 * package's node_modules, as Lambda resolves it from the runtime's (NODE_PATH=/var/runtime/node_modules…).
 *
 *   npx tsx bench/cold-start.ts [runs=10] [--base <commit>]
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { synthesizeApp } from '../lib/local/emulator/synth';
import { runBenchmark, stats, writeResult } from './support/stats';

const ROOT = path.resolve(__dirname, '..');
/** The main of 2026-11-30 before issue 14 made the functions lean (the "today's" of the issue). */
const BASE_COMMIT = '965e43f';
const GOAL_MAX_BYTES = 400 * 1024;
const GOAL_LOAD_RATIO = 0.5;

interface Bundle {
  /** `<stack>/<logical id>` of the function (the floor: `floor`). */
  readonly id: string;
  readonly file: string;
  readonly bytes: number;
  readonly env: Record<string, string>;
}

/** Every function of an assembly with its bundle and an environment its module can load with. */
function assemblyBundles(outDir: string): Bundle[] {
  const bundles: Bundle[] = [];
  for (const file of fs.readdirSync(outDir).filter((f) => f.endsWith('.template.json'))) {
    const stack = file.replace(/\.template\.json$/, '');
    const template = JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8'));
    for (const [logicalId, resource] of Object.entries<any>(template.Resources ?? {})) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || !assetPath) continue;
      const bundle = path.join(outDir, assetPath, 'index.js');
      // The project's functions (their bundles come with a source map), not the CDK's own
      // custom-resource handlers (the VPC's default security group, the provider framework).
      if (!fs.existsSync(`${bundle}.map`)) continue;
      // References resolve to placeholders: module loading only reads that a variable is set.
      const env = Object.fromEntries(Object.entries<unknown>(resource.Properties?.Environment?.Variables ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : 'bench-placeholder']));
      bundles.push({ id: `${stack}/${logicalId}`, file: bundle, bytes: fs.statSync(bundle).size, env });
    }
  }
  return bundles;
}

/** The floor, bundled as the project bundles a function (minified CommonJS for Node 20). */
function floorBundle(dir: string): Bundle {
  const file = path.join(dir, 'floor', 'index.js');
  buildSync({ entryPoints: [path.join(__dirname, 'functions', 'kafkajs-only.ts')], bundle: true, minify: true, platform: 'node', target: 'node20', format: 'cjs', outfile: file, logLevel: 'error' });
  return { id: 'floor', file, bytes: fs.statSync(file).size, env: {} };
}

/**
 * What the DynamoDB-using functions cannot load faster than: the AWS SDK's DynamoDB clients as
 * Lambda's runtime provides them (required from NODE_PATH, as the functions require them), the
 * floor plus those clients, and the lighter path of bundling a tree-shaken client with only the
 * commands the consumers send (esbuild, from the SDK's ES modules).
 */
function sdkProbes(dir: string): Bundle[] {
  const probe = (id: string, source: string): Bundle => {
    const file = path.join(dir, 'probes', id.replace(/\W/g, '-'), 'index.js');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source);
    return { id, file, bytes: fs.statSync(file).size, env: {} };
  };
  const treeShaken = path.join(dir, 'probes', 'tree-shaken', 'index.js');
  fs.mkdirSync(path.dirname(treeShaken), { recursive: true });
  buildSync({
    stdin: { contents: "export { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';", resolveDir: ROOT, loader: 'ts' },
    bundle: true, minify: true, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'], outfile: treeShaken, logLevel: 'error',
  });
  return [
    probe('sdk: @aws-sdk/client-dynamodb (runtime-provided)', "require('@aws-sdk/client-dynamodb');"),
    probe('sdk: client-dynamodb + lib-dynamodb (runtime-provided)', "require('@aws-sdk/client-dynamodb');require('@aws-sdk/lib-dynamodb');"),
    probe('floor + client-dynamodb + lib-dynamodb', `require(${JSON.stringify(path.join(dir, 'floor', 'index.js'))});require('@aws-sdk/client-dynamodb');require('@aws-sdk/lib-dynamodb');`),
    { id: 'sdk: tree-shaken DynamoDBClient + PutItem + TransactWriteItems, bundled', file: treeShaken, bytes: fs.statSync(treeShaken).size, env: {} },
  ];
}

/**
 * The example app of `commit`, synthesized from a temporary worktree: with this checkout's
 * node_modules when the commit's lock file is this one's, else with its own (`npm ci` from the
 * registry into the worktree, a minute or two), so a base whose dependencies have since changed
 * still builds as it did.
 */
function baseAssembly(commit: string, dir: string): { outDir: string; commit: string; ownInstall: boolean } {
  const tree = path.join(dir, 'base-tree');
  execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', tree, commit], { stdio: 'ignore' });
  try {
    const lock = (root: string) => fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8');
    const ownInstall = lock(tree) !== lock(ROOT);
    if (ownInstall) {
      process.stderr.write(`[cold-start] ${commit} has other dependencies: npm ci in its worktree\n`);
      execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
    } else {
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
    }
    const outDir = synthesizeApp(tree, { outDir: path.join(dir, 'base.out'), logFile: path.join(dir, 'base-synth.log') });
    const full = execFileSync('git', ['-C', ROOT, 'rev-parse', commit], { encoding: 'utf8' }).trim();
    return { outDir, commit: full, ownInstall };
  } finally {
    execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', tree], { stdio: 'ignore' });
  }
}

/** One fresh Node process that requires `bundle` and reports the require's duration in ms. */
function loadOnce(bundle: Bundle, sourceMaps: boolean): number {
  const script = 'const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
  const r = spawnSync(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script, bundle.file], {
    cwd: path.dirname(bundle.file),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SESSION_TOKEN: 'bench',
      AWS_LAMBDA_FUNCTION_NAME: bundle.id.replace(/\W/g, '-'),
      ...bundle.env,
    },
    timeout: 30_000,
  });
  const ms = Number(r.stdout);
  if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`loading ${bundle.id} (${bundle.file}) failed: ${r.stderr.split('\n').slice(0, 8).join('\n')}`);
  return ms;
}

const median = (values: number[]) => stats(values).p50;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const baseFlag = args.indexOf('--base');
  const base = baseFlag >= 0 ? args.splice(baseFlag, 2)[1] : BASE_COMMIT;
  const runs = Number(args[0] ?? 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cold-start-'));
  try {
    const synthStart = Date.now();
    const current = assemblyBundles(synthesizeApp(ROOT, { outDir: path.join(dir, 'current.out'), logFile: path.join(dir, 'current-synth.log') }));
    const baseBuild = baseAssembly(base, dir);
    const before = new Map(assemblyBundles(baseBuild.outDir).map((b) => [b.id, b]));
    const floor = floorBundle(dir);
    const probes = sdkProbes(dir);
    process.stderr.write(`[cold-start] ${current.length} functions (${before.size} at ${base}) built in ${((Date.now() - synthStart) / 1000).toFixed(0)} s; ${runs} rounds\n`);

    const all = [floor, ...probes, ...current, ...before.values()];
    const times = new Map<Bundle, number[]>(all.map((b) => [b, []]));
    const withMaps = new Map<Bundle, number[]>(current.map((b) => [b, []]));
    for (let round = 0; round < runs; round++) {
      // A new order every round: no bundle always loads right after another that warmed its files.
      const loads = shuffle([...all.map((b) => ({ b, maps: false })), ...current.map((b) => ({ b, maps: true }))]);
      for (const { b, maps } of loads) (maps ? withMaps : times).get(b)!.push(loadOnce(b, maps));
      process.stderr.write(`[cold-start] round ${round + 1}/${runs}\n`);
    }

    const floorMs = median(times.get(floor)!);
    const functions = current.map((b) => {
      const old = before.get(b.id);
      const loadMs = median(times.get(b)!);
      const baseLoadMs = old ? median(times.get(old)!) : null;
      return {
        function: b.id,
        bytes: b.bytes,
        kb: kb(b.bytes),
        loadMs,
        loadWithSourceMapsMs: median(withMaps.get(b)!),
        vsFloor: Math.round((loadMs / floorMs) * 100) / 100,
        base: old ? { bytes: old.bytes, kb: kb(old.bytes), loadMs: baseLoadMs } : null,
        loadVsBase: baseLoadMs ? Math.round((loadMs / baseLoadMs) * 100) / 100 : null,
      };
    });
    const paired = functions.filter((f) => f.loadVsBase !== null);
    const summary = {
      functions: functions.length,
      maxKb: Math.max(...functions.map((f) => f.kb)),
      maxBaseKb: Math.max(...paired.map((f) => f.base!.kb)),
      medianLoadMs: median(functions.map((f) => f.loadMs)),
      medianBaseLoadMs: median(paired.map((f) => f.base!.loadMs!)),
      medianLoadVsBase: median(paired.map((f) => f.loadVsBase!)),
      worstLoadVsBase: Math.max(...paired.map((f) => f.loadVsBase!)),
      medianSourceMapsCostMs: median(functions.map((f) => f.loadWithSourceMapsMs - f.loadMs)),
      goals: {
        everyBundleAtMost400KB: functions.every((f) => f.bytes <= GOAL_MAX_BYTES),
        everyLoadAtMostHalfOfBase: paired.every((f) => f.loadVsBase! <= GOAL_LOAD_RATIO),
      },
    };
    writeResult('cold-start', {
      runs,
      base: { commit: baseBuild.commit, dependencies: baseBuild.ownInstall ? 'its own lock file (npm ci)' : 'this checkout\'s node_modules' },
      floor: { what: 'bench/functions/kafkajs-only.ts: imports kafkajs only', bytes: floor.bytes, kb: kb(floor.bytes), loadMs: floorMs },
      summary,
      sdkProbes: probes.map((b) => ({ what: b.id, kb: kb(b.bytes), loadMs: median(times.get(b)!), vsFloor: Math.round((median(times.get(b)!) / floorMs) * 100) / 100 })),
      functions,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
