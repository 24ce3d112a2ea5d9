import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Options of `synthesizeApp`. */
export interface SynthesizeOptions {
  /**
   * Where the cloud assembly goes, relative to the app directory.
   * @default 'cdk.out'
   */
  readonly outDir?: string;
  /**
   * `true` synthesizes; `false` uses the assembly already in `outDir` (an error if there is
   * none); `'if-stale'` synthesizes only when there is none or a source file of the app is
   * newer than it (see `assemblyIsCurrent`).
   * @default true
   */
  readonly synth?: boolean | 'if-stale';
  /**
   * File that receives the app's output (esbuild's bundle listings among it).
   * @default - the terminal
   */
  readonly logFile?: string;
  /**
   * The app command (as `cdk --app`).
   * @default - the "app" of cdk.json
   */
  readonly app?: string;
  /**
   * Add LOCAL_MODE_CONTEXT (local-only fixtures); false synthesizes what `cdk deploy` would deploy.
   * @default true
   */
  readonly localMode?: boolean;
}

/**
 * Context every local-mode synthesis gets (cdk.json and cdk.context.json may override it): the
 * example app's local-only fixtures, such as the simulated payment provider, are deployed to the
 * emulator but not to AWS by default.
 */
export const LOCAL_MODE_CONTEXT: Readonly<Record<string, string>> = { simulatedProvider: 'true' };

/**
 * Context the CDK CLI gives every app it synthesizes: construct paths on each resource
 * (`aws:cdk:path`) and asset paths, so an assembly from here reads like one from `cdk synth`.
 */
const CLI_CONTEXT = { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true };

/**
 * Synthesizes the CDK app of `appDir` into `outDir` (default `<appDir>/cdk.out`) and returns
 * `outDir`.
 *
 * The app command of cdk.json is run directly, with the context of cdk.json and
 * cdk.context.json passed the way the CDK CLI passes it (CDK_OUTDIR, CDK_CONTEXT_JSON): local
 * mode does not depend on the CLI's version matching the library's cloud assembly schema.
 * With `logFile`, the app's output (esbuild's bundle listings among it) goes there instead of
 * the terminal; a failed synth's error carries the end of it.
 */
export function synthesizeApp(appDir = process.cwd(), options: SynthesizeOptions = {}): string {
  const root = path.resolve(appDir);
  const outDir = path.resolve(root, options.outDir ?? 'cdk.out');
  const synth = options.synth ?? true;
  if (synth === false || (synth === 'if-stale' && assemblyIsCurrent(root, outDir))) {
    if (!fs.existsSync(path.join(outDir, 'manifest.json'))) throw new Error(`no cloud assembly at ${outDir} (synthesize first, or drop --no-synth)`);
    return outDir;
  }
  const config = options.app ? { ...readCdkJson(root, false), app: options.app } : readCdkJson(root);
  if (typeof config.app !== 'string') throw new Error(`${path.join(root, 'cdk.json')} has no "app" command`);
  const contextFile = path.join(root, 'cdk.context.json');
  const context = {
    ...(options.localMode === false ? {} : LOCAL_MODE_CONTEXT),
    ...CLI_CONTEXT,
    ...(config.context ?? {}),
    ...(fs.existsSync(contextFile) ? JSON.parse(fs.readFileSync(contextFile, 'utf8')) : {}),
  };
  fs.mkdirSync(outDir, { recursive: true });
  let log: number | undefined;
  if (options.logFile) {
    fs.mkdirSync(path.dirname(path.resolve(options.logFile)), { recursive: true });
    log = fs.openSync(options.logFile, 'w');
  }
  try {
    execSync(config.app, {
      cwd: root,
      stdio: ['ignore', log ?? 'inherit', log ?? 'inherit'],
      env: { ...process.env, CDK_OUTDIR: outDir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    });
  } catch (e) {
    if (!options.logFile) throw e;
    const tail = fs.readFileSync(options.logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`'${config.app}' failed (output in ${options.logFile}):\n${tail}`, { cause: e });
  } finally {
    if (log !== undefined) fs.closeSync(log);
  }
  if (!fs.existsSync(path.join(outDir, 'manifest.json'))) throw new Error(`'${config.app}' wrote no cloud assembly to ${outDir}`);
  return outDir;
}

/**
 * Whether `outDir` holds an assembly at least as new as every source file of the app in
 * `appDir`: cdk.json, cdk.context.json, and the files cdk.json's `watch` settings name (the
 * ones `cdk watch` would resynthesize for), else every file outside `node_modules`, hidden
 * directories and cloud assemblies.
 */
export function assemblyIsCurrent(appDir: string, outDir: string): boolean {
  const manifest = path.join(outDir, 'manifest.json');
  if (!fs.existsSync(manifest)) return false;
  const built = fs.statSync(manifest).mtimeMs;
  const root = path.resolve(appDir);
  const watch = readCdkJson(root).watch ?? {};
  const include = toMatchers(watch.include ?? ['**']);
  const exclude = toMatchers(watch.exclude ?? []);
  for (const always of ['cdk.json', 'cdk.context.json']) {
    const file = path.join(root, always);
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs > built) return false;
  }
  const skipDirs = new Set([path.resolve(outDir), path.join(root, 'node_modules')]);
  const walk = (dir: string): boolean => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (skipDirs.has(full) || entry.name.startsWith('cdk.out') || exclude.some((m) => m.test(rel))) continue;
        if (!walk(full)) return false;
      } else if (entry.isFile() && include.some((m) => m.test(rel)) && !exclude.some((m) => m.test(rel)) && fs.statSync(full).mtimeMs > built) {
        return false;
      }
    }
    return true;
  };
  return walk(root);
}

function readCdkJson(root: string, required = true): { app?: unknown; context?: Record<string, unknown>; watch?: { include?: string[]; exclude?: string[] } } {
  const file = path.join(root, 'cdk.json');
  if (!fs.existsSync(file) && !required) return {};
  if (!fs.existsSync(file)) throw new Error(`no cdk.json in ${root}: give the CDK app directory (--app-dir)`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** `cdk watch` globs (`lib/**`, `**\/*.d.ts`, `node_modules`) as matchers of paths relative to the app. */
function toMatchers(globs: readonly string[]): RegExp[] {
  return globs.map((glob) => {
    const source = glob.replace(/\/+$/, '').split('**').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('.*');
    // A name without a slash matches at any depth, and a directory matches everything under it.
    return new RegExp(`^${glob.includes('/') ? '' : '(?:.*/)?'}${source.replace(/^\.\*\//, '(?:.*/)?')}(?:/.*)?$`);
  });
}
