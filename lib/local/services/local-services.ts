import { Artifacts, ensureArtifacts } from './artifacts';
import { LocalDynamoDb, StartDynamoDbOptions, startDynamoDb, waitForDynamoDb } from './dynamodb';
import { installSignalHandlers } from './jvm';
import { LocalKafka, StartKafkaOptions, startKafka, waitForKafka } from './kafka';
import { prepareIamListener } from './kafka-iam-listener';
import { dataRoots, defaultCacheDir } from './paths';
import { checkJava } from './prerequisites';
import { reapOrphans } from './stale';

/** What `LocalServices.start` provides (Kafka, its IAM listener, DynamoDB Local) and how it runs them. */
export interface LocalServicesOptions {
  /**
   * Provide Kafka.
   * @default true
   */
  readonly kafka?: boolean;
  /**
   * Give the broker a second listener, SASL_SSL with MSK IAM tokens, on which Kafka ACLs apply
   * (`KAFKA_IAM_BROKERS`, its certificate in `KAFKA_IAM_CA_FILE`); the PLAINTEXT listener stays
   * all-access. Needs a JDK (javac, keytool) at the first start.
   * @default true
   */
  readonly kafkaIamListener?: boolean;
  /**
   * Provide DynamoDB Local.
   * @default true
   */
  readonly dynamodb?: boolean;
  /**
   * Directory for the service log files.
   * @default `.local/logs`
   */
  readonly logDir?: string;
  /**
   * Java executable.
   * @default 'java'
   */
  readonly javaBin?: string;
  /**
   * Maven executable (first fetch only).
   * @default 'mvn'
   */
  readonly mvnBin?: string;
  /**
   * Jar cache directory.
   * @default LOCAL_SERVICES_CACHE, else `<repo>/.cache/local-services`
   */
  readonly cacheDir?: string;
  /**
   * Where `KAFKA_BROKERS` / `DYNAMODB_ENDPOINT` are read from; a service named there is used
   * as it is and never started or stopped (with `KAFKA_IAM_BROKERS` / `KAFKA_IAM_CA_FILE`, if set).
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Stop the services on SIGINT / SIGTERM / SIGHUP and exit. The JVMs are SIGKILLed on any
   * process exit regardless.
   * @default true
   */
  readonly handleSignals?: boolean;
  /**
   * Progress lines (first fetch, start-up).
   * @default stderr
   */
  readonly log?: (line: string) => void;
  /** Extra Kafka options (ports, heap, broker properties). @default - StartKafkaOptions' own defaults */
  readonly kafkaOptions?: Omit<StartKafkaOptions, 'libDir' | 'javaBin' | 'logDir' | 'iamListener'> & {
    /**
     * Port of the SASL_SSL listener.
     * @default a free port
     */
    readonly iamPort?: number;
  };
  /** Extra DynamoDB Local options (port, in-memory, heap). @default - StartDynamoDbOptions' own defaults */
  readonly dynamodbOptions?: Omit<StartDynamoDbOptions, 'libDir' | 'javaBin' | 'logDir'>;
  /**
   * How long an existing service named by the environment gets to answer.
   * @default 10000 ms
   */
  readonly existingReadyTimeoutMs?: number;
}

/** Kafka and DynamoDB Local for local mode: started here, or existing ones named by the environment. */
export class LocalServices {
  /**
   * Starts what is asked for (in parallel), unless `KAFKA_BROKERS` / `DYNAMODB_ENDPOINT` name
   * existing services. Resolves once every service answers.
   * @throws LocalServicesError when Java or Maven is missing (one message saying what to do).
   */
  static async start(options: LocalServicesOptions = {}): Promise<LocalServices> {
    const env = options.env ?? process.env;
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const wantKafka = options.kafka ?? true;
    const wantDynamoDb = options.dynamodb ?? true;
    const existingKafka = wantKafka ? env.KAFKA_BROKERS?.trim() || undefined : undefined;
    const existingDynamoDb = wantDynamoDb ? env.DYNAMODB_ENDPOINT?.trim() || undefined : undefined;
    const startKafkaHere = wantKafka && !existingKafka;
    const startDynamoDbHere = wantDynamoDb && !existingDynamoDb;
    const readyTimeout = options.existingReadyTimeoutMs ?? 10_000;

    let artifacts: Artifacts = {};
    if (startKafkaHere || startDynamoDbHere) {
      checkJava(options.javaBin);
      artifacts = await ensureArtifacts({
        cacheDir: options.cacheDir,
        mvnBin: options.mvnBin,
        log,
        only: [...(startKafkaHere ? ['kafka' as const] : []), ...(startDynamoDbHere ? ['dynamodb' as const] : [])],
      });
      for (const pid of dataRoots().flatMap((root) => reapOrphans(root))) log(`[local-services] killed orphaned JVM ${pid} left by an earlier run`);
      if (options.handleSignals ?? true) installSignalHandlers();
    }

    const started = Date.now();
    const kafkaLibDir = artifacts.kafka?.libDir;
    const [kafka, dynamodb] = await Promise.allSettled([
      startKafkaHere
        ? (async () => {
          const { iamPort, ...kafkaOptions } = options.kafkaOptions ?? {};
          const iamListener = (options.kafkaIamListener ?? true)
            ? { files: await prepareIamListener({ cacheDir: options.cacheDir ?? defaultCacheDir(env), libDir: kafkaLibDir!, javaBin: options.javaBin }), port: iamPort }
            : undefined;
          return startKafka({ ...kafkaOptions, iamListener, libDir: kafkaLibDir!, javaBin: options.javaBin, logDir: options.logDir });
        })()
        : existingKafka ? waitForKafka(existingKafka, readyTimeout).then(() => undefined) : Promise.resolve(undefined),
      startDynamoDbHere
        ? startDynamoDb({ ...options.dynamodbOptions, libDir: artifacts.dynamodb!.libDir, javaBin: options.javaBin, logDir: options.logDir })
        : existingDynamoDb ? waitForDynamoDb(existingDynamoDb, readyTimeout).then(() => undefined) : Promise.resolve(undefined),
    ]);
    if (kafka.status === 'rejected' || dynamodb.status === 'rejected') {
      // Never leave the one that did start behind.
      if (kafka.status === 'fulfilled') await kafka.value?.stop();
      if (dynamodb.status === 'fulfilled') await dynamodb.value?.stop();
      const reasons = [kafka, dynamodb].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
      throw reasons[0] instanceof Error && reasons.length === 1
        ? reasons[0]
        : new AggregateError(reasons, reasons.map((r) => (r instanceof Error ? r.message : String(r))).join('\n'));
    }
    const services = new LocalServices(
      kafka.value?.brokers ?? existingKafka ?? '',
      dynamodb.value?.endpoint ?? existingDynamoDb ?? '',
      kafka.value,
      dynamodb.value,
      kafka.value ? kafka.value.iamBrokers : existingKafka ? env.KAFKA_IAM_BROKERS?.trim() || undefined : undefined,
      kafka.value ? kafka.value.iamCaFile : existingKafka ? env.KAFKA_IAM_CA_FILE?.trim() || undefined : undefined,
    );
    if (startKafkaHere || startDynamoDbHere) {
      log(`[local-services] ready in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (kafka.value ? ` · Kafka ${kafka.value.brokers}${kafka.value.iamBrokers ? `, IAM ${kafka.value.iamBrokers}` : ''} (log ${kafka.value.logFile})` : '') +
        (dynamodb.value ? ` · DynamoDB Local ${dynamodb.value.endpoint} (log ${dynamodb.value.logFile})` : ''));
    }
    return services;
  }

  private stopped = false;

  private constructor(
    /** Comma-separated `host:port` list; '' when Kafka was not asked for. */
    readonly kafkaBrokers: string,
    /** `http://host:port`; '' when DynamoDB was not asked for. */
    readonly dynamodbEndpoint: string,
    /** The broker started here; undefined when it came from `KAFKA_BROKERS` or was not asked for. */
    readonly kafka?: LocalKafka,
    /** DynamoDB Local started here; undefined when it came from `DYNAMODB_ENDPOINT` or was not asked for. */
    readonly dynamodb?: LocalDynamoDb,
    /** `host:port` of the broker's SASL_SSL listener (MSK IAM tokens, ACLs); undefined without one. */
    readonly kafkaIamBrokers?: string,
    /** The certificate (PEM file) that listener presents; undefined without one. */
    readonly kafkaIamCaFile?: string,
  ) {}

  /** The broker's SASL_SSL listener as the emulator takes it (`EmulatorOptions.services.kafkaIam`); undefined without one. */
  get kafkaIam(): { readonly brokers: string; readonly caFile: string } | undefined {
    return this.kafkaIamBrokers && this.kafkaIamCaFile ? { brokers: this.kafkaIamBrokers, caFile: this.kafkaIamCaFile } : undefined;
  }

  /** Pids of the JVMs started here (absent for services taken from the environment, or stopped). */
  get pids(): { kafka?: number; dynamodb?: number } {
    return { kafka: this.kafka?.pid, dynamodb: this.dynamodb?.pid };
  }

  /** Environment variables naming these services, for child processes and tests. */
  get env(): Record<string, string> {
    return {
      ...(this.kafkaBrokers ? { KAFKA_BROKERS: this.kafkaBrokers } : {}),
      ...(this.kafkaIamBrokers && this.kafkaIamCaFile ? { KAFKA_IAM_BROKERS: this.kafkaIamBrokers, KAFKA_IAM_CA_FILE: this.kafkaIamCaFile } : {}),
      ...(this.dynamodbEndpoint ? { DYNAMODB_ENDPOINT: this.dynamodbEndpoint } : {}),
    };
  }

  /** SIGKILLs the broker (a crash); `restartKafka()` brings it back on the same port and data. */
  async killKafka(): Promise<void> {
    await this.ownKafka('killKafka').kill();
  }

  /** Kills the broker (if running) and starts it again on the same ports and data directory. */
  async restartKafka(): Promise<void> {
    await this.ownKafka('restartKafka').restart();
  }

  /** SIGKILLs DynamoDB Local. */
  async killDynamoDb(): Promise<void> {
    await this.ownDynamoDb('killDynamoDb').kill();
  }

  /** Kills DynamoDB Local (if running) and starts it again; tables survive unless `inMemory`. */
  async restartDynamoDb(): Promise<void> {
    await this.ownDynamoDb('restartDynamoDb').restart();
  }

  /** Stops what was started here (never a service named by the environment). Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([this.kafka?.stop(), this.dynamodb?.stop()]);
  }

  private ownKafka(method: string): LocalKafka {
    if (!this.kafka) throw new Error(`${method}() needs a broker started by LocalServices, not one named by KAFKA_BROKERS`);
    return this.kafka;
  }

  private ownDynamoDb(method: string): LocalDynamoDb {
    if (!this.dynamodb) throw new Error(`${method}() needs DynamoDB Local started by LocalServices, not one named by DYNAMODB_ENDPOINT`);
    return this.dynamodb;
  }
}
