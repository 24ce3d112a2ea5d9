import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Context every local-mode synthesis gets (cdk.json and cdk.context.json may override it): the
 * example app's local-only fixtures, such as the simulated payment provider, are deployed to the
 * emulator but not to AWS by default.
 */
export const LOCAL_MODE_CONTEXT: Readonly<Record<string, string>> = { simulatedProvider: 'true' };

/** How `synthesizeApp` synthesizes. */
export interface SynthOptions {
  /** The assembly directory, relative to the app directory. @default 'cdk.out' */
  readonly outDir?: string;
  /** false: use the assembly already in `outDir`. @default true */
  readonly synth?: boolean;
  /** Where the app's output goes. @default the terminal */
  readonly logFile?: string;
  /** The app command (as `cdk --app`). @default the "app" of cdk.json */
  readonly app?: string;
  /**
   * Add LOCAL_MODE_CONTEXT (local-only fixtures); false synthesizes what `cdk deploy` would deploy.
   * @default true
   */
  readonly localMode?: boolean;
}

/**
 * Synthesizes the CDK app of `appDir` into `outDir` (default `<appDir>/cdk.out`), or returns
 * `outDir` untouched when `synth` is false and it already holds an assembly.
 *
 * The app command of cdk.json is run directly, with the context of cdk.json and
 * cdk.context.json passed the way the CDK CLI passes it (CDK_OUTDIR, CDK_CONTEXT_JSON): local
 * mode does not depend on the CLI's version matching the library's cloud assembly schema.
 * With `logFile`, the app's output (esbuild's bundle listings among it) goes there instead of
 * the terminal; a failed synth's error carries the end of it.
 */
export function synthesizeApp(appDir = process.cwd(), options: SynthOptions = {}): string {
  const root = path.resolve(appDir);
  const outDir = path.resolve(root, options.outDir ?? 'cdk.out');
  if (options.synth === false) {
    if (!fs.existsSync(path.join(outDir, 'manifest.json'))) throw new Error(`no cloud assembly at ${outDir} (synthesize first, or drop --no-synth)`);
    return outDir;
  }
  const cdkJson = path.join(root, 'cdk.json');
  if (!options.app && !fs.existsSync(cdkJson)) throw new Error(`no cdk.json in ${root}: give the CDK app directory (--app-dir)`);
  const config = fs.existsSync(cdkJson) ? JSON.parse(fs.readFileSync(cdkJson, 'utf8')) : {};
  if (options.app) config.app = options.app;
  if (typeof config.app !== 'string') throw new Error(`${cdkJson} has no "app" command`);
  const contextFile = path.join(root, 'cdk.context.json');
  const context = {
    ...(options.localMode === false ? {} : LOCAL_MODE_CONTEXT),
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
