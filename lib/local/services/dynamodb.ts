import * as fs from 'fs';
import * as path from 'path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { JvmProcess, smallJvmFlags } from './jvm';
import { makeDataDir } from './kafka';
import { DEFAULT_LOG_DIR } from './paths';
import { freePort, pollUntil } from './ports';
import { writeOwner } from './stale';

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
   * @default a new directory under `.local/data/`
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
export class LocalDynamoDb {
  /** `http://127.0.0.1:<port>` for clients. */
  readonly endpoint: string;
  private jvm?: JvmProcess;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly launchArgs: { javaBin: string; args: string[]; readyTimeoutMs: number; removeDataOnStop: boolean },
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
  }

  /** Pid of the running JVM, undefined while stopped. */
  get pid(): number | undefined {
    return this.jvm?.isRunning ? this.jvm.pid : undefined;
  }

  /** Starts the JVM (when it is not running) and waits until ListTables answers. */
  async start(): Promise<void> {
    if (this.jvm?.isRunning) return;
    const jvm = JvmProcess.start({
      name: 'dynamodb', javaBin: this.launchArgs.javaBin, args: this.launchArgs.args, logFile: this.logFile, cwd: this.dataDir,
    });
    this.jvm = jvm;
    writeOwner(this.dataDir, jvm.pid);
    try {
      await waitForDynamoDb(this.endpoint, this.launchArgs.readyTimeoutMs, () =>
        jvm.isRunning ? undefined : `DynamoDB Local exited during start-up${jvm.error ? ` (${jvm.error.message})` : ''}. Log ${this.logFile}:\n${jvm.logTail()}`);
    } catch (err) {
      await jvm.kill();
      throw err;
    }
  }

  /** Kills DynamoDB Local at once (SIGKILL). */
  async kill(): Promise<void> {
    await this.jvm?.kill();
  }

  /** Kills and starts again on the same port and database file. */
  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Shuts down (SIGTERM, SIGKILL after `graceMs`) and removes a data directory it created. */
  async stop(graceMs = 5_000): Promise<void> {
    await this.jvm?.stop(graceMs);
    if (this.launchArgs.removeDataOnStop) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Starts DynamoDB Local; resolves once ListTables answers. */
export async function startDynamoDb(options: StartDynamoDbOptions): Promise<LocalDynamoDb> {
  const port = options.port ?? (await freePort());
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeDataDir('dynamodb');
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
