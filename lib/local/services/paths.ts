import * as fs from 'fs';
import * as os from 'os';
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

/** Free space a memory-backed file system needs before DynamoDB Local's database goes there. */
const MIN_MEMORY_ROOT_BYTES = 512 * 1024 * 1024;

/**
 * A per-user directory on a memory-backed file system (`/dev/shm`), or undefined when there is
 * none with room to spare. DynamoDB Local's SQLite syncs its file on every write; on a disk that
 * sync is a large part of a write's latency, on tmpfs it costs nothing. The data directories are
 * scratch that `stop()` removes, and a file there still survives a restart of the JVM.
 */
export function memoryDataRoot(candidate = '/dev/shm'): string | undefined {
  try {
    const stats = fs.statfsSync(candidate);
    if (stats.bavail * stats.bsize < MIN_MEMORY_ROOT_BYTES) return undefined;
    fs.accessSync(candidate, fs.constants.W_OK);
  } catch {
    return undefined;
  }
  return path.join(candidate, `msk-pipelines-${os.userInfo().uid}`, 'data');
}

/** Every directory that may hold per-start data directories, for the orphan sweep. */
export function dataRoots(): string[] {
  const memory = memoryDataRoot();
  return memory ? [DEFAULT_DATA_ROOT, memory] : [DEFAULT_DATA_ROOT];
}
