import { EventEmitter } from 'events';
import * as path from 'path';
import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import { findFunction, loadAssembly } from './assembly';
import { assemblyRuleContext } from './assembly-context';
import { setLocalVariable } from './environment';
import { connectionRefusals, pollerRefusal } from './network-enforcement';
import type { ConnectionRefusal } from './worker-protocol';
import type { RuleContext } from '../../checks/rule';
import { DestinationDelivery, InvocationRecord, MappingRunner } from './mapping-runner';
import { FunctionHost, InvokeResult } from './function-host';
import { HttpApiServer, HttpExchange } from './http';
import { HttpUrlRegistry } from './http-urls';
import { DirectTrigger, InvocationRecorder } from './invocations';
import { LocalQueues } from './local-queue';
import { EmulatorLogger, LogEntry, renderLogEntry } from './logger';
import { provisionSecrets, provisionTables, provisionTopics } from './provision';
import { buildReport, EmulatorReport, writeReport } from './report';
import { SecretsStandIn } from './secrets';
import type { AlarmEvaluator, AlarmStateChange } from '../alarms/alarm-evaluator';
import { startAlarms } from '../alarms/attach';
import { AssemblyModel, FunctionModel, MappingModel, RouteModel, ScheduleModel, TableModel, TopicModel } from './model';
import { AwsFront, startAwsFront } from '../aws-front';
import { KafkaAclEnforcement, pollsWithIam, type KafkaIamListener } from '../kafka-acl';

/** What `Emulator.start` runs (a cloud assembly), against which local services, and with which checks enforced. */
export interface EmulatorOptions {
  /** The cloud assembly directory (`cdk.out`). */
  readonly assemblyDir: string;
  /**
   * The local services the graph runs against. `kafkaIam` is the broker's SASL_SSL listener
   * (`LocalServices.kafkaIamBrokers` / `kafkaIamCaFile`), on which Kafka ACLs apply.
   * @default kafkaIam: from KAFKA_IAM_BROKERS / KAFKA_IAM_CA_FILE, if both are set and KAFKA_BROKERS
   * names the same broker as `kafkaBrokers` (another broker's listener would split the run in two)
   */
  readonly services: { readonly kafkaBrokers: string; readonly dynamodbEndpoint: string; readonly kafkaIam?: KafkaIamListener };
  /** Only these stacks. @default all stacks of the assembly */
  readonly stacks?: string[];
  /** Port of the first HTTP API (in assembly order); the others get free ports. @default a free port */
  readonly httpPort?: number;
  /** Where `stop()` writes the report (`report()` as JSON). @default - no report file */
  readonly reportFile?: string;
  /**
   * Receives every log line (function output prefixed `[name]`, with the function and the request
   * id of its invocation as `source`; the emulator's own lines have no source). @default stdout
   */
  readonly onLog?: (line: string, source?: LogSource) => void;
  /**
   * Receives each of the emulator's own log entries whole (message, level and fields such as
   * `mapping`, `topic`, `partition`, `offset`, `error`), before it is rendered as a line for
   * `onLog`; also emitted as the `emulator-log` event once `start` has returned.
   * @default none
   */
  readonly onLogEntry?: (entry: LogEntry) => void;
  /** Region references resolve to. @default the stack's region, else us-east-1 */
  readonly region?: string;
  /** Where the SQS stand-in appends messages. @default `.local/sqs` */
  readonly sqsDir?: string;
  /** Most execution environments per function. @default 10 */
  readonly maxConcurrency?: number;
  /** First retry delay of a failed batch (doubles per retry, up to 2 s). @default 100 */
  readonly retryBackoffMs?: number;
  /**
   * Session timeout of the mappings' consumer group members (the broker accepts 6 s and more).
   * Shorter makes a dead member's partitions move sooner; tests use it to outlast it quickly.
   * @default 30000
   */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval of the mappings' consumers, also while a batch is in flight. @default 3000 */
  readonly heartbeatIntervalMs?: number;
  /**
   * Evaluate the assembly's CloudWatch alarms against the run's metrics (lib/local/alarms).
   * @default true
   */
  readonly alarms?: boolean;
  /**
   * How much faster the alarms' clock runs: 60 makes a 5-minute period pass in 5 s.
   * @default 1
   */
  readonly alarmTimeScale?: number;
  /**
   * Refuse, at once and with the reason, each connection a function could not make on AWS: an AWS
   * service its subnets have no endpoint or NAT for, brokers outside its network, a public endpoint
   * without internet egress (lib/checks/network.ts, the model `check` uses). `false` lets every
   * function reach every local service.
   * @default true
   */
  readonly enforceNetwork?: boolean;
  /**
   * Evaluate each function's DynamoDB, Secrets Manager and SQS calls against its role's policies
   * (lib/local/iam), through a local front that answers a denied call with AWS's AccessDeniedException
   * (lib/local/aws-front). `false` lets every call through, as before.
   * @default true
   */
  readonly enforceIam?: boolean;
  /**
   * Functions that authenticate to Kafka with IAM, and the pollers of mappings on MSK, connect to
   * the broker's SASL_SSL listener as themselves, held to Kafka ACLs derived from their role's
   * `kafka-cluster:*` grants (lib/local/kafka-acl): a publish to a topic not granted fails with
   * TOPIC_AUTHORIZATION_FAILED. Needs the listener (`services.kafkaIam`); without it, or with
   * `false`, every client uses the all-access plaintext listener, as before.
   * @default true
   */
  readonly enforceKafkaAcls?: boolean;
}

/** Which function (and which of its invocations) printed a log line. */
export interface LogSource {
  readonly functionName: string;
  /** The invocation the function's execution environment runs or ran last. */
  readonly requestId?: string;
}

/** A function's log line, as the `function-log` event carries it. */
export interface FunctionLogLine extends LogSource {
  /** The line as the function printed it (no `[name]` prefix). */
  readonly line: string;
  readonly time: string;
}

/**
 * What the emulator reports as it runs, for the terminal, the console and tests. Emitting costs
 * nothing without listeners; listeners run on the emulator's own path, so they must be quick.
 */
export interface EmulatorEvents {
  /** An invocation finished (any trigger). */
  invocation: [InvocationRecord];
  /** Every log line, as `onLog` receives it. */
  log: [string, LogSource | undefined];
  /** A line a function printed. */
  'function-log': [FunctionLogLine];
  /** An entry of the emulator's own log, with its fields (rendered as a `log` line as well). */
  'emulator-log': [LogEntry];
  /** A mapping sent records to its on-failure destination (or dropped them, with none emulated). */
  'dead-letter': [DestinationDelivery];
  /** An HTTP API answered a request. */
  http: [HttpExchange];
  /** An alarm of the assembly changed state (the run's metrics crossed, or left, its threshold). */
  alarm: [AlarmStateChange];
}

// Typed `on`/`off`/`emit` over the events above (declaration merging with the class).
export interface Emulator {
  /** Adds `listener` for `event` (one of `EmulatorEvents`), with the arguments typed by the event. */
  on<K extends keyof EmulatorEvents>(event: K, listener: (...args: EmulatorEvents[K]) => void): this;
  /** Removes a listener added with `on`. */
  off<K extends keyof EmulatorEvents>(event: K, listener: (...args: EmulatorEvents[K]) => void): this;
  /** Emits `event` to its listeners (the emulator's own use); true when it had listeners. */
  emit<K extends keyof EmulatorEvents>(event: K, ...args: EmulatorEvents[K]): boolean;
}

/**
 * Runs a synthesized cloud assembly locally: creates its topics and tables on the local
 * services, runs its functions in isolated warm workers, its Kafka event source mappings, its
 * HTTP API routes, and lets its schedules be triggered. Emits the `EmulatorEvents`.
 */
export class Emulator extends EventEmitter {
  /**
   * Reads the assembly, starts its HTTP APIs, provisions its topics, tables and secrets, and starts
   * its enabled mappings; resolves once all run. On a failure it stops what it started and rejects.
   */
  static async start(options: EmulatorOptions): Promise<Emulator> {
    const emulator = new Emulator(options);
    try {
      await emulator.boot();
    } catch (e) {
      await emulator.stop().catch(() => undefined);
      throw e;
    }
    return emulator;
  }

  /** Every invocation so far, in the order they finished (any trigger). */
  readonly invocations: InvocationRecord[];
  /** The alarm evaluator (undefined with `alarms: false`). */
  alarms?: AlarmEvaluator;
  /** The Secrets Manager stand-in every function's SDK talks to (`secrets.put(name, value)`). */
  secrets!: SecretsStandIn;
  private model!: AssemblyModel;
  private readonly hosts = new Map<string, FunctionHost>();
  /** The assembly as the network model reads it (once, at the first function host). */
  private ruleContext?: RuleContext;
  private readonly runners: MappingRunner[] = [];
  private readonly servers = new HttpUrlRegistry();
  private readonly recorder: InvocationRecorder;
  private readonly logger: EmulatorLogger;
  private readonly queues: LocalQueues;
  /** The IAM front before the AWS stand-ins (undefined with `enforceIam: false`). */
  private front?: AwsFront;
  private readonly kafka: Kafka;
  private admin?: Admin;
  private producer?: Producer;
  private stopped = false;
  /** Kafka ACL enforcement (undefined when off, or without the broker's IAM listener). */
  private readonly kafkaAcls?: KafkaAclEnforcement;

  private constructor(private readonly options: EmulatorOptions) {
    super();
    const kafkaIam = options.services.kafkaIam ?? kafkaIamFromEnv(process.env, options.services.kafkaBrokers);
    if (options.enforceKafkaAcls !== false && kafkaIam) this.kafkaAcls = new KafkaAclEnforcement(kafkaIam, options.region ?? 'us-east-1');
    this.recorder = new InvocationRecorder((r) => this.emit('invocation', r));
    this.logger = new EmulatorLogger((entry) => {
      this.options.onLogEntry?.(entry);
      this.emit('emulator-log', entry);
      this.log(renderLogEntry(entry));
    });
    this.invocations = this.recorder.records;
    this.queues = new LocalQueues(options.sqsDir ?? path.join('.local', 'sqs'));
    this.kafka = new Kafka({
      clientId: 'msk-pipelines-emulator',
      brokers: options.services.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  /** The assembly's Node.js functions whose bundled code it holds: the ones the emulator can run. */
  get functions(): FunctionModel[] { return this.model.functions; }
  /** The Kafka topics created on the broker: declared ones and those the mappings imply. */
  get topics(): TopicModel[] { return this.model.topics; }
  /** The DynamoDB tables created on DynamoDB Local. */
  get tables(): TableModel[] { return this.model.tables; }
  /** The assembly's Kafka event source mappings, disabled ones included (those are not run). */
  get mappings(): MappingModel[] { return this.model.mappings; }
  /** The assembly's EventBridge Scheduler schedules; they fire only through `triggerSchedule`. */
  get schedules(): ScheduleModel[] { return this.model.schedules; }
  /** The whole model read from the assembly (stacks, resources and the lists above). */
  get assembly(): AssemblyModel { return this.model; }

  /** Base URL of the first HTTP API (undefined when the graph has none). */
  get httpUrl(): string | undefined {
    return this.servers.first();
  }

  /**
   * Base URL of the HTTP API `key`: `<stack>/<logical id>` (`RouteModel.api`), or a bare logical id
   * when one stack alone has an API of that id. Throws, naming the key and the known keys, when no
   * API has it, or naming the keys to use when several stacks have an API of that logical id.
   */
  httpUrlFor(key: string): string {
    return this.servers.urlFor(key);
  }

  /**
   * Base URL of each HTTP API by `<stack>/<logical id>` (`RouteModel.api`). A bare logical id
   * reads through `httpUrlFor` (not listed by `Object.keys`; throws when ambiguous).
   * @deprecated Use `httpUrlFor(key)`, which throws in plain sight for an unknown or ambiguous key.
   */
  get httpUrls(): Readonly<Record<string, string>> {
    return this.servers.legacyRecord();
  }

  /**
   * Base URL of the HTTP API that serves `route`, or a route key such as `POST /posts` (the first
   * route of that key in assembly order); undefined when no emulated API serves it.
   */
  httpUrlOf(route: Pick<RouteModel, 'api'> | string): string | undefined {
    return this.servers.urlOf(route, this.assembly.routes);
  }

  private async boot(): Promise<void> {
    const local = {
      kafkaBrokers: this.options.services.kafkaBrokers,
      kafkaIamBrokers: this.kafkaAcls?.listener.brokers,
      dynamodbEndpoint: this.options.services.dynamodbEndpoint,
      region: this.options.region,
    };
    // First read: which APIs exist, so that their local URLs can resolve `ApiEndpoint` references.
    const first = loadAssembly(this.options.assemblyDir, local, { stacks: this.options.stacks });
    let port = this.options.httpPort;
    for (const api of first.apis) {
      // Two stacks of one name (in different stages) would also share their tables' and
      // mappings' names: their APIs share a server rather than leave one unreachable.
      if (this.servers.has(api.key)) {
        this.logger.warn('two stacks of one name have an HTTP API of one logical id: one server serves both', { stack: api.stack, api: api.logicalId });
        continue;
      }
      const server = new HttpApiServer(api.key, (fn, event) => this.invokeForRoute(fn, event), (exchange) => this.emit('http', exchange));
      // Registered before it listens: stop() closes every server, even after a failed start.
      this.servers.add(server);
      await server.listen(port ?? 0);
      port = undefined;
    }
    await this.queues.start();
    if (this.options.enforceIam !== false) {
      this.front = await startAwsFront({ assemblyDir: this.options.assemblyDir, local, secrets: () => this.secrets?.list() ?? [], logger: this.logger.child('iam') });
    }
    this.model = loadAssembly(this.options.assemblyDir, { ...local, apiUrls: this.servers.urls(), sqsUrl: this.front?.url('sqs') ?? this.queues.url }, { stacks: this.options.stacks });
    for (const server of this.servers.all()) server.setRoutes(this.model.routes);
    this.secrets = await provisionSecrets(this.model, this.options.region);
    if (this.front) {
      // Functions call the AWS stand-ins through the IAM front (the SQS endpoint is `sqsUrl` above).
      this.front.route('dynamodb', this.options.services.dynamodbEndpoint);
      this.front.route('secretsmanager', this.secrets.url);
      if (this.queues.url) this.front.route('sqs', this.queues.url);
      for (const fn of this.model.functions) {
        setLocalVariable(fn.environment, 'AWS_ENDPOINT_URL_SECRETS_MANAGER', this.front.url('secretsmanager'));
        setLocalVariable(fn.environment, 'AWS_ENDPOINT_URL_DYNAMODB', this.front.url('dynamodb'));
      }
    }

    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    await provisionTopics(this.admin, this.model.topics);
    await this.kafkaAcls?.apply({ assemblyDir: this.options.assemblyDir, local, model: this.model, admin: this.admin, logger: this.logger.child('kafka-acl') });
    await provisionTables({ dynamodbEndpoint: this.options.services.dynamodbEndpoint, region: this.options.region }, this.model.tables);

    for (const mapping of this.model.mappings.filter((m) => m.enabled)) {
      const unreachable = this.options.enforceNetwork === false ? undefined : pollerRefusal(mapping, this.rules());
      if (unreachable !== undefined) {
        // Lambda creates such a mapping, and its pollers never read a record.
        this.logger.error('mapping not started: PROBLEM: Connection error', { mapping: `${mapping.stack}/${mapping.logicalId}`, function: mapping.functionName, reason: unreachable });
        continue;
      }
      const runner = new MappingRunner(mapping, {
        // Lambda's poller on an IAM cluster authenticates as the function's execution role.
        kafka: this.kafkaAcls && pollsWithIam(mapping) ? this.kafkaAcls.clientFor(mapping.functionName, `lambda-poller-${mapping.logicalId}`) : this.kafka,
        admin: this.admin,
        producer: this.producer,
        host: this.host(mapping.functionName),
        queues: this.queues,
        bootstrapServers: this.options.services.kafkaBrokers,
        onInvocation: (r) => this.recorder.record(r),
        onDestination: (d) => this.emit('dead-letter', d),
        logger: this.logger,
        retryBackoffMs: this.options.retryBackoffMs,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      });
      this.runners.push(runner);
    }
    await Promise.all(this.runners.map((r) => r.start()));
    if (this.options.alarms !== false) this.alarms = startAlarms(this, { timeScale: this.options.alarmTimeScale, logger: this.logger.child('alarm') });
    this.logger.info('started', {
      functions: this.model.functions.length, mappings: this.runners.length, topics: this.model.topics.length, tables: this.model.tables.length,
      httpApis: this.servers.all().map((s) => `${s.api}=${s.url}`).join(',') || undefined,
    });
  }

  private host(name: string): FunctionHost {
    const fn = findFunction(this.model.functions, name);
    if (!fn) throw new Error(`No function '${name}' in the assembly (functions: ${this.model.functions.map((f) => f.name).join(', ')})`);
    let host = this.hosts.get(fn.name);
    if (!host) {
      host = new FunctionHost(fn, {
        maxConcurrency: this.options.maxConcurrency ?? 10,
        refusals: this.refusalsOf(fn),
        brokerTls: this.kafkaAcls?.brokerTls,
        onLog: (prefixed, model, requestId) => {
          const source = { functionName: model.name, requestId };
          this.emit('function-log', { ...source, line: prefixed.slice(model.name.length + 3), time: new Date().toISOString() });
          this.log(prefixed, source);
        },
      });
      this.hosts.set(fn.name, host);
    }
    return host;
  }

  /** The assembly as the network model reads it. */
  private rules(): RuleContext {
    this.ruleContext ??= assemblyRuleContext(this.options.assemblyDir);
    return this.ruleContext;
  }

  /** The connections `fn` could not make on AWS (none when network enforcement is off). */
  private refusalsOf(fn: FunctionModel): ConnectionRefusal[] {
    if (this.options.enforceNetwork === false) return [];
    // Functions connect to the IAM front when it runs: the refusal is on its ports.
    return connectionRefusals(fn, this.rules(), {
      dynamodb: this.front?.url('dynamodb') ?? this.options.services.dynamodbEndpoint,
      secretsmanager: this.front?.url('secretsmanager') ?? this.secrets?.url,
      sqs: this.front?.url('sqs') ?? this.queues.url,
      kafkaBrokers: [this.options.services.kafkaBrokers, ...(this.kafkaAcls ? [this.kafkaAcls.listener.brokers] : [])].join(','),
      publicUrls: this.servers.all().map((server) => server.url),
    });
  }

  private log(line: string, source?: LogSource): void {
    this.emit('log', line, source);
    if (this.options.onLog) this.options.onLog(line, source);
    else process.stdout.write(`${line}\n`);
  }

  private async invokeRecorded(name: string, event: unknown, trigger: DirectTrigger): Promise<InvokeResult> {
    const host = this.host(name);
    const res = await host.invoke(event);
    this.recorder.recordResult(host.model, res, trigger);
    return res;
  }

  private async invokeForRoute(name: string, event: unknown): Promise<{ ok: boolean; result?: unknown; timedOut?: boolean; requestId: string }> {
    const res = await this.invokeRecorded(name, event, 'http');
    return { ok: res.outcome === 'succeeded', result: res.result, timedOut: res.outcome === 'timed-out', requestId: res.requestId };
  }

  /** Invokes a function directly (by name, logical id, construct path or ARN), like `lambda invoke`. */
  async invoke(functionName: string, event: unknown): Promise<InvokeResult> {
    return this.invokeRecorded(functionName, event, 'direct');
  }

  /** Invokes a schedule's target with its `Input`, as EventBridge Scheduler would at its next time. */
  async triggerSchedule(nameOrId: string): Promise<InvokeResult> {
    const s = this.model.schedules.find((x) => x.name === nameOrId || x.logicalId === nameOrId);
    if (!s) throw new Error(`No schedule '${nameOrId}' (schedules: ${this.model.schedules.map((x) => x.name).join(', ') || 'none'})`);
    if (!s.functionName) throw new Error(`Schedule '${s.name}' does not target a Lambda function of the assembly`);
    return this.invokeRecorded(s.functionName, s.input ?? {}, 'schedule');
  }

  /** Messages the SQS stand-in received for `queue` (on-failure destinations). */
  sqsMessages(queue: string): unknown[] {
    return this.queues.messages(queue);
  }

  /**
   * Resolves with the first truthy value `check` returns over the invocations so far, checking
   * again after each invocation; rejects after `timeoutMs`.
   */
  waitFor<T>(check: (invocations: InvocationRecord[]) => T | undefined | null | false, timeoutMs = 30000): Promise<T> {
    return this.recorder.waitFor(check, timeoutMs);
  }

  /**
   * Resolves once the graph has settled: no batch in flight, every mapping's consumer group
   * caught up with its topics, and no new invocation for `quietMs`. A scenario calls it before
   * `stop()` so that records produced by the last functions are delivered, not cut off.
   */
  async waitForIdle(options: { quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
    const quietMs = options.quietMs ?? 1000;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      const seen = this.invocations.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
      const settled = this.invocations.length === seen && this.runners.every((r) => !r.busy);
      if (settled && (await Promise.all(this.runners.map((r) => r.lag()))).every((lag) => lag === 0)) return;
      if (Date.now() > deadline) throw new Error(`waitForIdle: the graph did not settle within ${options.timeoutMs ?? 60_000} ms`);
    }
  }

  /** Each enabled mapping's lag: records of its topics its consumer group has not committed yet. */
  async mappingLags(): Promise<Array<{ mapping: string; consumerGroupId: string; lag: number }>> {
    return Promise.all(this.runners.map(async (r) => ({ mapping: r.id, consumerGroupId: r.mapping.consumerGroupId, lag: await r.lag() })));
  }

  /** The report: every invocation, and counts by outcome and by function. */
  report(): EmulatorReport {
    return buildReport(this.invocations, this.alarms);
  }

  /** Writes `report()` to `file` as JSON (what `reportFile` gets at `stop()`). */
  writeReport(file: string): void {
    writeReport(file, this.report());
  }

  /** Stops consumers (without committing unfinished batches), workers and HTTP servers. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.alarms?.stop();
    for (const r of this.runners) r.halt();
    await Promise.all([...this.hosts.values()].map((h) => h.stop()));
    await Promise.all(this.runners.map((r) => r.stop()));
    await Promise.all(this.servers.all().map((s) => s.close()));
    await this.secrets?.stop();
    await this.front?.stop();
    await this.queues.stop();
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    if (this.options.reportFile && this.model) this.writeReport(this.options.reportFile);
  }
}

/**
 * The broker's IAM listener named by the environment (`LocalServices.env`), if both variables are
 * set and the environment's plaintext brokers are `kafkaBrokers`: a suite running on services of
 * its own must not get the global broker's listener (its functions would publish there).
 */
export function kafkaIamFromEnv(env: NodeJS.ProcessEnv, kafkaBrokers: string): KafkaIamListener | undefined {
  const brokers = env.KAFKA_IAM_BROKERS?.trim();
  const caFile = env.KAFKA_IAM_CA_FILE?.trim();
  const sameBroker = env.KAFKA_BROKERS?.trim() === kafkaBrokers.trim();
  return brokers && caFile && sameBroker ? { brokers, caFile } : undefined;
}
