import * as fs from 'fs';
import * as path from 'path';
import { transformSync } from 'esbuild';

/**
 * Where a function's worker comes from: the compiled `function-worker.js` next to this module when
 * the package runs compiled, else `function-worker.ts` transpiled once (esbuild, a dependency) and
 * run as an eval'd CommonJS script. A worker thread does not inherit ts-jest's or tsx's loaders,
 * so the TypeScript source cannot be given to `new Worker` as it is.
 */
export interface WorkerScript {
  /** A file path, or the script's source when `eval` is true. */
  readonly script: string;
  readonly eval: boolean;
}

let cached: WorkerScript | undefined;

/** The worker script (read and transpiled once per process). */
export function workerScript(): WorkerScript {
  if (cached) return cached;
  const compiled = path.join(__dirname, 'function-worker.js');
  if (fs.existsSync(compiled)) {
    cached = { script: compiled, eval: false };
    return cached;
  }
  const source = path.join(__dirname, 'function-worker.ts');
  try {
    const { code } = transformSync(fs.readFileSync(source, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: source, supported: { 'dynamic-import': true } });
    cached = { script: code, eval: true };
  } catch (cause) {
    throw new Error(`Cannot load the function worker from ${source}`, { cause });
  }
  return cached;
}
