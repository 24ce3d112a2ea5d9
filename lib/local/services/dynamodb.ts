import * as fs from 'fs';
import * as path from 'path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { smallJvmFlags } from './jvm';
import { JvmService, type JvmServiceLaunch } from './jvm-service';
import { makeDataDir } from './kafka';
import { DEFAULT_DATA_ROOT, DEFAULT_LOG_DIR, memoryDataRoot } from './paths';
import { freePort, pollUntil } from './ports';

/** Credentials DynamoDB Local accepts (it checks their presence, not their value). */
export const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
/** Region used with local services. */
export const LOCAL_REGION = 'us-east-1';

export interface StartDynamoDbOptions {
  /** Directory holding the DynamoDB Local jars and sqlite4java natives (from `ensureArtifacts()`). */
  readonly libDir: string;
  /**
   * Java executable.
   * @default 'java'
   */
  readonly javaBin?: string;
  /**
   * HTTP port. DynamoDB Local has no bind-address option, so it listens on all interfaces.
   * @default a free port
   */
  readonly port?: number;
  /**
   * Keep tables in memory only. Faster, but `restart()` then loses every table.
   * @default false (tables live in a database file under the data directory and survive a restart)
   */
  readonly inMemory?: boolean;
  /**
   * Directory for the database file.
   * @default a new directory on a memory-backed file system (`memoryDataRoot()`) when there is
   * one, else under `.local/data/`
   */
  readonly dataDir?: string;
  /**
   * Directory for `dynamodb-<port>.log`.
   * @default `.local/logs`
   */
  readonly logDir?: string;
  /**
   * Maximum heap.
   * @default '256m'
   */
  readonly maxHeap?: string;
  /**
   * How long to wait for ListTables to answer.
   * @default 120000 ms
   */
  readonly readyTimeoutMs?: number;
  /**
   * Whether `stop()` removes the data directory.
   * @default true when the data directory was created here
   */
  readonly removeDataOnStop?: boolean;
}

/**
 * DynamoDB Local with one shared database (`-sharedDb`): every credential and region sees
 * the same tables, as one account does in the cloud.
 */
export class LocalDynamoDb extends JvmService {
  /** `http://127.0.0.1:<port>` for clients. */
  readonly endpoint: string;

  constructor(readonly port: number, dataDir: string, logFile: string, launch: JvmServiceLaunch) {
    super('dynamodb', 'DynamoDB Local', dataDir, logFile, launch, 5_000);
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  protected waitUntilReady(timeoutMs: number, abort: () => string | undefined): Promise<void> {
    return waitForDynamoDb(this.endpoint, timeoutMs, abort);
  }
}

/** Starts DynamoDB Local; resolves once ListTables answers. */
export async function startDynamoDb(options: StartDynamoDbOptions): Promise<LocalDynamoDb> {
  const port = options.port ?? (await freePort());
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeDataDir('dynamodb', memoryDataRoot() ?? DEFAULT_DATA_ROOT);
  fs.mkdirSync(dataDir, { recursive: true });
  const logFile = path.join(options.logDir ?? DEFAULT_LOG_DIR, `dynamodb-${port}.log`);
  const storage = options.inMemory ? ['-inMemory'] : ['-dbPath', dataDir];
  const args = [
    ...smallJvmFlags(options.maxHeap ?? '256m'),
    `-Djava.library.path=${options.libDir}`,
    `-Dlocal.services.dir=${dataDir}`,
    '-cp', `${options.libDir}${path.sep}*`,
    'software.amazon.dynamodb.services.local.main.ServerRunner',
    '-port', String(port),
    '-sharedDb',
    // Telemetry would try to reach an AWS endpoint from a local, often offline, run.
    '-disableTelemetry',
    ...storage,
  ];
  const dynamodb = new LocalDynamoDb(port, dataDir, logFile, {
    javaBin: options.javaBin ?? 'java',
    args,
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    removeDataOnStop: options.removeDataOnStop ?? ownDataDir,
  });
  await dynamodb.start();
  return dynamodb;
}

/** Resolves once ListTables answers at `endpoint`. */
export async function waitForDynamoDb(endpoint: string, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  const client = new DynamoDBClient({
    endpoint, region: LOCAL_REGION, credentials: DUMMY_CREDENTIALS, maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  try {
    await pollUntil(
      async () => {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      { timeoutMs, intervalMs: 200, abort, describe: () => `DynamoDB Local at ${endpoint} did not answer ListTables within ${timeoutMs} ms` },
    );
  } finally {
    client.destroy();
  }
}
