import * as path from 'path';

/** The repository root (this file lives in lib/local/services/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Where the Maven Central jars are kept: `LOCAL_SERVICES_CACHE`, else `<repo>/.cache/local-services`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_SERVICES_CACHE ? path.resolve(env.LOCAL_SERVICES_CACHE) : path.join(REPO_ROOT, '.cache', 'local-services');
}

/** Local-mode working state (logs, data directories, state files); ignored by git. */
export const LOCAL_DIR = path.join(REPO_ROOT, '.local');

/** Default directory for service log files. */
export const DEFAULT_LOG_DIR = path.join(LOCAL_DIR, 'logs');

/** Parent of the per-start data directories (Kafka log dirs, DynamoDB Local database files). */
export const DEFAULT_DATA_ROOT = path.join(LOCAL_DIR, 'data');
