import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/**
 * Synthesizes the stacks `build` adds to a fresh App into a temporary directory and returns
 * that directory (a cloud assembly the emulator can read).
 */
export function synthToDir(build: (app: App) => void, context?: Record<string, unknown>): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const app = new App({ outdir, context });
  build(app);
  app.synth();
  return outdir;
}
