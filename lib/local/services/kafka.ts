import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { LocalServicesError } from './errors';
import { iamListenerProperties, type IamListenerFiles } from './kafka-iam-listener';
import { smallJvmFlags } from './jvm';
import { JvmService, type JvmServiceLaunch } from './jvm-service';
import { DEFAULT_DATA_ROOT, DEFAULT_LOG_DIR } from './paths';
import { freePort, pollUntil } from './ports';

export interface StartKafkaOptions {
  /** Directory holding the Kafka jars (from `ensureArtifacts()`). */
  readonly libDir: string;
  /**
   * Java executable.
   * @default 'java'
   */
  readonly javaBin?: string;
  /**
   * Client (PLAINTEXT) port on 127.0.0.1.
   * @default a free port
   */
  readonly port?: number;
  /**
   * KRaft controller port on 127.0.0.1.
   * @default a free port
   */
  readonly controllerPort?: number;
  /**
   * Directory for the configuration and the log directory; formatted when it holds no
   * `meta.properties` yet, reused otherwise.
   * @default a new directory under `.local/data/`
   */
  readonly dataDir?: string;
  /**
   * Directory for `kafka-<port>.log`.
   * @default `.local/logs`
   */
  readonly logDir?: string;
  /**
   * Maximum heap.
   * @default '512m'
   */
  readonly maxHeap?: string;
  /**
   * Whether producing to an unknown topic creates it. MSK's default is false; the emulator
   * creates every declared topic itself, so false is the faithful choice for pipelines.
   * @default true (what ad-hoc tests and `publish` expect)
   */
  readonly autoCreateTopics?: boolean;
  /**
   * A second listener, SASL_SSL with MSK IAM tokens (OAUTHBEARER), on which each client is the
   * principal `User:<access key id>` and Kafka ACLs apply; the PLAINTEXT listener stays
   * all-access (its principal, User:ANONYMOUS, is a super user).
   * @default none: PLAINTEXT only, no authorizer
   */
  readonly iamListener?: {
    /** From `prepareIamListener()`. */
    readonly files: IamListenerFiles;
    /**
     * Port on 127.0.0.1.
     * @default a free port
     */
    readonly port?: number;
  };
  /**
   * Extra broker properties, written last (they win).
   * @default none
   */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /**
   * How long to wait for the broker to answer metadata requests.
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
 * A single-node KRaft broker (broker and controller in one JVM) on loopback ports.
 * `kill()` + `start()` (or `restart()`) keep the ports and the data directory, so topics and
 * committed offsets survive, as they do when an MSK broker restarts.
 */
export class LocalKafka extends JvmService {
  /** `host:port` for clients (PLAINTEXT, all-access). */
  readonly brokers: string;
  /** `host:port` of the SASL_SSL listener with MSK IAM tokens and ACLs; undefined without one. */
  readonly iamBrokers?: string;
  /** The certificate (PEM file) clients of the SASL_SSL listener trust; undefined without one. */
  readonly iamCaFile?: string;

  constructor(
    readonly port: number,
    readonly controllerPort: number,
    dataDir: string,
    logFile: string,
    launch: JvmServiceLaunch,
    iam?: { readonly port: number; readonly caFile: string },
  ) {
    super('kafka', 'Kafka', dataDir, logFile, launch, 10_000);
    this.brokers = `127.0.0.1:${port}`;
    if (iam) {
      this.iamBrokers = `127.0.0.1:${iam.port}`;
      this.iamCaFile = iam.caFile;
    }
  }

  protected waitUntilReady(timeoutMs: number, abort: () => string | undefined): Promise<void> {
    return waitForKafka(this.brokers, timeoutMs, abort);
  }
}

/** Formats (when needed) and starts a single-node KRaft broker; resolves once it answers metadata. */
export async function startKafka(options: StartKafkaOptions): Promise<LocalKafka> {
  const javaBin = options.javaBin ?? 'java';
  const port = options.port ?? (await freePort());
  let controllerPort = options.controllerPort ?? (await freePort());
  while (controllerPort === port) controllerPort = await freePort();
  let iamPort: number | undefined;
  if (options.iamListener) {
    iamPort = options.iamListener.port ?? (await freePort());
    while (iamPort === port || iamPort === controllerPort) iamPort = await freePort();
  }
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeDataDir('kafka');
  fs.mkdirSync(dataDir, { recursive: true });
  const logDir = options.logDir ?? DEFAULT_LOG_DIR;
  const logFile = path.join(logDir, `kafka-${port}.log`);
  const classpath = [`${options.libDir}${path.sep}*`, ...(options.iamListener ? [options.iamListener.files.classesDir] : [])].join(path.delimiter);
  const serverProperties = path.join(dataDir, 'server.properties');
  const log4j = path.join(dataDir, 'log4j.properties');
  fs.writeFileSync(serverProperties, brokerProperties(port, controllerPort, iamPort, path.join(dataDir, 'kraft'), options));
  fs.writeFileSync(log4j, LOG4J);
  const jvmFlags = [
    ...smallJvmFlags(options.maxHeap ?? '512m'),
    `-Dlog4j.configuration=file:${log4j}`,
    `-Dlocal.services.dir=${dataDir}`,
  ];
  if (!fs.existsSync(path.join(dataDir, 'kraft', 'meta.properties'))) {
    await formatStorage(javaBin, jvmFlags, classpath, serverProperties, logFile);
  }
  const kafka = new LocalKafka(port, controllerPort, dataDir, logFile, {
    javaBin,
    args: [...jvmFlags, '-cp', classpath, 'kafka.Kafka', serverProperties],
    readyTimeoutMs: options.readyTimeoutMs ?? 120_000,
    removeDataOnStop: options.removeDataOnStop ?? ownDataDir,
  }, iamPort !== undefined ? { port: iamPort, caFile: options.iamListener!.files.caFile } : undefined);
  await kafka.start();
  return kafka;
}

/** Resolves once a client can fetch cluster metadata listing at least one broker. */
export async function waitForKafka(brokers: string, timeoutMs: number, abort?: () => string | undefined): Promise<void> {
  const admin = new Kafka({
    clientId: 'local-services-readiness',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  }).admin();
  try {
    await pollUntil(
      async () => {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
      },
      { timeoutMs, intervalMs: 250, abort, describe: () => `Kafka at ${brokers} did not answer metadata requests within ${timeoutMs} ms` },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function brokerProperties(port: number, controllerPort: number, iamPort: number | undefined, logDirs: string, options: StartKafkaOptions): string {
  const iam = iamPort !== undefined ? `,SASL_SSL://127.0.0.1:${iamPort}` : '';
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${port}${iam},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}${iam}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${iam ? ',SASL_SSL:SASL_SSL' : ''}`,
    'log.dirs': logDirs,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'auto.create.topics.enable': options.autoCreateTopics ?? true,
    // One node: internal topics cannot be replicated, and fewer partitions start faster.
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    // A lone consumer should not wait 3 s for others to join before its first assignment.
    'group.initial.rebalance.delay.ms': 0,
    // After a crash the old registration blocks the restarted broker until its session
    // expires (DUPLICATE_BROKER_REGISTRATION); 9 s by default, 3 s here.
    'broker.heartbeat.interval.ms': 500,
    'broker.session.timeout.ms': 3000,
    // Small thread pools: this broker serves one machine.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 8 * 1024 * 1024,
    ...(options.iamListener ? iamListenerProperties(options.iamListener.files) : {}),
    ...options.properties,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

const LOG4J = `# Everything to stdout, which the launcher appends to .local/logs/kafka-<port>.log
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN
`;

/** A Kafka cluster id: 16 random bytes, base64url without padding (as `random-uuid` prints). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id; // would read as an option on the command line
  }
}

async function formatStorage(javaBin: string, jvmFlags: string[], classpath: string, serverProperties: string, logFile: string): Promise<void> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  try {
    const args = [...jvmFlags, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', serverProperties];
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${javaBin} ${args.join(' ')}\n`);
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(javaBin, args, { stdio: ['ignore', fd, fd] });
      child.once('error', () => resolve(-1));
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      throw new LocalServicesError(`Formatting the Kafka log directory failed (exit ${code}). Log ${logFile}:\n${tail}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A fresh directory under `.local/data/` for one service start. */
export function makeDataDir(name: string, root: string = DEFAULT_DATA_ROOT): string {
  fs.mkdirSync(root, { recursive: true });
  return fs.mkdtempSync(path.join(root, `${name}-`));
}
