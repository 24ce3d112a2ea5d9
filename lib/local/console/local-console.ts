import { Admin, Kafka, logLevel } from 'kafkajs';
import { deadLetterConsumers, findDeadLetterConsumer } from '../../dead-letter/consumers';
import { listDeadLetters, redrive } from '../../dead-letter/redrive';
import { parseRecordRefs } from '../../dead-letter/select';
import { deadLetterView } from '../../dead-letter/view';
import type { Emulator } from '../emulator/emulator';
import { ConsoleChains } from './chains';
import { ConsoleState } from './console-state';
import { assemblyGraph } from './graph';
import { ConsoleRequestError, ConsoleRoute, ConsoleServer } from './server';
import { TopicWatch } from './topic-watch';

export interface LocalConsoleOptions {
  /** The broker the emulator runs against. */
  readonly kafkaBrokers: string;
  /** Loopback port of the page. @default a free port */
  readonly port?: number;
  /** How often open pages get each mapping's lag. @default 2000 */
  readonly lagIntervalMs?: number;
}

/**
 * The local console: a web page on a loopback port that draws the emulated graph and follows
 * it live (server-sent events fed by the emulator's events and a watch on every topic), with the
 * chain actions of the `chain` commands and the dead-letter operations of `dlq`. See docs/console.md.
 */
export class LocalConsole {
  static async start(emulator: Emulator, options: LocalConsoleOptions): Promise<LocalConsole> {
    const instance = new LocalConsole(emulator, options);
    try {
      await instance.boot();
    } catch (e) {
      await instance.stop();
      throw e;
    }
    return instance;
  }

  readonly state = new ConsoleState();
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly watch: TopicWatch;
  private readonly chains: ConsoleChains;
  private readonly server: ConsoleServer;
  private lagTimer?: NodeJS.Timeout;
  private lags: Array<{ mapping: string; consumerGroupId: string; lag: number }> = [];

  private constructor(private readonly emulator: Emulator, private readonly options: LocalConsoleOptions) {
    this.kafka = new Kafka({ clientId: 'msk-pipelines-console', brokers: options.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    this.admin = this.kafka.admin();
    const topics = [...new Set([...emulator.topics.map((t) => t.name), ...emulator.mappings.flatMap((m) => m.topics)])];
    this.watch = new TopicWatch(this.kafka, topics);
    this.chains = new ConsoleChains(emulator, this.kafka);
    this.server = new ConsoleServer(this.routes(), (send) => this.state.subscribe((e) => send(e.type, e.data)));
  }

  /** The page's URL. */
  get url(): string {
    return this.server.url;
  }

  private async boot(): Promise<void> {
    this.state.attach(this.emulator);
    this.watch.onRecord((r) => {
      this.state.publish({ type: 'record', data: r });
      this.chains.seen(r);
    });
    this.chains.onRun((run) => this.state.publish({ type: 'chain-run', data: run }));
    await this.admin.connect();
    await Promise.all([this.watch.start(), this.chains.start()]);
    await this.server.listen(this.options.port ?? 0);
    this.lagTimer = setInterval(() => void this.pollLags(), this.options.lagIntervalMs ?? 2000);
    this.lagTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.lagTimer);
    this.state.close();
    await this.server.close().catch(() => undefined);
    await Promise.all([this.watch.stop(), this.chains.stop()]);
    await this.admin.disconnect().catch(() => undefined);
  }

  private async pollLags(): Promise<void> {
    // Lag costs two admin requests per topic and mapping: only while a page looks.
    if (this.state.subscribers === 0) return;
    try {
      this.lags = await this.emulator.mappingLags();
      this.state.publish({ type: 'lags', data: this.lags });
    } catch { /* the broker is restarting or the emulator stopping: the next poll tells */ }
  }

  private routes(): ConsoleRoute[] {
    const consumers = () => deadLetterConsumers(this.emulator.assembly);
    const body = (b: unknown) => (b && typeof b === 'object' ? b : {}) as Record<string, unknown>;
    const text = (b: Record<string, unknown>, field: string, required = true): string | undefined => {
      const v = b[field];
      if (v === undefined || v === '') {
        if (required) throw new ConsoleRequestError(400, `${field} is required`);
        return undefined;
      }
      if (typeof v !== 'string') throw new ConsoleRequestError(400, `${field} must be a string, got ${JSON.stringify(v)}`);
      return v;
    };
    const bad = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (e) {
        if (e instanceof ConsoleRequestError) throw e;
        throw new ConsoleRequestError(400, (e as Error).message, { cause: e });
      }
    };
    return [
      {
        method: 'GET',
        path: '/api/snapshot',
        handle: () => ({
          graph: assemblyGraph(this.emulator.assembly),
          topics: this.watch.topics.map((t) => ({ name: t, records: this.watch.records(t) })),
          functions: this.emulator.functions.map((f) => ({ name: f.name, stack: f.stack, logicalId: f.logicalId, timeout: f.timeout, memorySize: f.memorySize })),
          mappings: this.emulator.mappings.map((m) => ({ mapping: `${m.stack}/${m.logicalId}`, functionName: m.functionName, topics: m.topics, consumerGroupId: m.consumerGroupId, filters: m.filters, onFailure: m.onFailure })),
          invocations: this.state.invocations.slice(-500),
          exchanges: this.state.exchanges,
          destinations: this.state.destinations,
          lags: this.lags,
          chains: this.chains.chains,
          runs: this.chains.knownRuns,
          deadLetterConsumers: consumers(),
        }),
      },
      { method: 'GET', path: '/api/logs/:requestId', handle: (p) => ({ requestId: p.requestId, lines: this.state.logsOf(p.requestId) }) },
      { method: 'GET', path: '/api/chains/:chain/runs/:runId', handle: (p) => bad(() => this.chains.status(p.chain, p.runId)) },
      { method: 'POST', path: '/api/chains/:chain/run', handle: (p, b) => bad(async () => ({ runIds: await this.chains.runNow(p.chain, text(body(b), 'runId', false)) })) },
      { method: 'POST', path: '/api/chains/:chain/rerun', handle: (p, b) => bad(() => this.chains.rerun(p.chain, text(body(b), 'task')!, text(body(b), 'runId')!)) },
      { method: 'POST', path: '/api/chains/:chain/backfill', handle: (p, b) => bad(async () => ({ runIds: await this.chains.backfill(p.chain, text(body(b), 'from')!, text(body(b), 'to')!) })) },
      {
        method: 'GET',
        path: '/api/dead-letters/:consumer',
        handle: (p) => bad(async () => {
          const consumer = findDeadLetterConsumer(consumers(), p.consumer);
          const listing = await listDeadLetters(this.kafka, this.admin, consumer.deadLetterTopic);
          return { consumer, records: listing.records.map((r) => deadLetterView(r)), unreadable: listing.unreadable };
        }),
      },
      {
        method: 'POST',
        path: '/api/dead-letters/:consumer/redrive',
        handle: (p, b) => bad(async () => {
          const consumer = findDeadLetterConsumer(consumers(), p.consumer);
          const offsets = body(b).offsets;
          if (offsets !== undefined && !(Array.isArray(offsets) && offsets.every((o) => typeof o === 'string'))) {
            throw new ConsoleRequestError(400, `offsets must be a list of "partition:offset" strings, got ${JSON.stringify(offsets)}`);
          }
          const chosen = parseRecordRefs(offsets as string[] | undefined);
          return redrive({
            kafka: this.kafka,
            admin: this.admin,
            deadLetterTopic: consumer.deadLetterTopic,
            sourceTopic: consumer.sourceTopics.length === 1 ? consumer.sourceTopics[0] : undefined,
            select: chosen ? (r) => chosen.has(`${r.partition}:${r.offset}`) : undefined,
          });
        }),
      },
    ];
  }
}
