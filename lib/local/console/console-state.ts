import type { Emulator, FunctionLogLine } from '../emulator/emulator';
import type { HttpExchange } from '../emulator/http';
import type { DestinationDelivery, InvocationRecord } from '../emulator/mapping-runner';
import type { RecordView } from './topic-watch';

/** What the page is sent as it happens (server-sent events, one event type each). */
export type ConsoleEvent =
  | { type: 'invocation'; data: InvocationRecord }
  | { type: 'log'; data: FunctionLogLine }
  | { type: 'record'; data: RecordView }
  | { type: 'http'; data: HttpExchange & { outcome?: string } }
  | { type: 'dead-letter'; data: DestinationDelivery }
  | { type: 'chain-run'; data: unknown }
  | { type: 'lags'; data: Array<{ mapping: string; consumerGroupId: string; lag: number }> };

export interface ConsoleStateLimits {
  /** Invocations kept. @default 2000 */
  readonly invocations?: number;
  /** Invocations whose log lines are kept. @default 2000 */
  readonly logged?: number;
  /** Lines kept per invocation. @default 200 */
  readonly linesPerInvocation?: number;
  /** HTTP exchanges kept. @default 300 */
  readonly exchanges?: number;
}

/**
 * The emulator's feed, kept in bounded memory for pages that open later and passed on to the
 * pages that are open. Only appends and array shifts on the emulator's path; nothing is parsed
 * there but a gateway's "callback answered" line, for its outcome.
 */
export class ConsoleState {
  readonly invocations: InvocationRecord[] = [];
  readonly exchanges: Array<HttpExchange & { outcome?: string }> = [];
  readonly destinations: DestinationDelivery[] = [];
  private readonly logs = new Map<string, string[]>();
  private readonly outcomes = new Map<string, string>();
  private readonly listeners = new Set<(event: ConsoleEvent) => void>();
  private readonly detach: Array<() => void> = [];

  constructor(private readonly limits: ConsoleStateLimits = {}) {}

  /** Follows the emulator's events until `close()`. */
  attach(emulator: Emulator): void {
    const on = <K extends 'invocation' | 'function-log' | 'http' | 'dead-letter'>(event: K, fn: (...args: any[]) => void) => {
      emulator.on(event, fn as never);
      this.detach.push(() => emulator.off(event, fn as never));
    };
    on('invocation', (r: InvocationRecord) => this.invocation(r));
    on('function-log', (l: FunctionLogLine) => this.log(l));
    on('http', (x: HttpExchange) => this.http(x));
    on('dead-letter', (d: DestinationDelivery) => {
      this.destinations.push(d);
      this.publish({ type: 'dead-letter', data: d });
    });
  }

  close(): void {
    for (const d of this.detach.splice(0)) d();
    this.listeners.clear();
  }

  /** Registers a page; returns its unsubscribe. */
  subscribe(listener: (event: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(event: ConsoleEvent): void {
    for (const l of this.listeners) l(event);
  }

  /** The log lines of one invocation. */
  logsOf(requestId: string): string[] {
    return this.logs.get(requestId) ?? [];
  }

  private invocation(r: InvocationRecord): void {
    this.invocations.push(r);
    if (this.invocations.length > (this.limits.invocations ?? 2000)) this.invocations.shift();
    this.publish({ type: 'invocation', data: r });
  }

  private log(l: FunctionLogLine): void {
    if (l.requestId) {
      let lines = this.logs.get(l.requestId);
      if (!lines) {
        lines = [];
        this.logs.set(l.requestId, lines);
        // Maps iterate in insertion order: the first key is the oldest invocation.
        if (this.logs.size > (this.limits.logged ?? 2000)) this.logs.delete(this.logs.keys().next().value!);
      }
      if (lines.length < (this.limits.linesPerInvocation ?? 200)) lines.push(l.line);
      const outcome = /"message":"callback answered"/.test(l.line) ? /"outcome":"([a-z-]+)"/.exec(l.line)?.[1] : undefined;
      if (outcome) {
        this.outcomes.set(l.requestId, outcome);
        // The worker's output may come after the answer: complete the exchange already shown.
        const i = this.exchanges.findIndex((x) => x.requestId === l.requestId);
        if (i >= 0) {
          this.exchanges[i] = { ...this.exchanges[i], outcome };
          this.publish({ type: 'http', data: this.exchanges[i] });
        }
      }
    }
    this.publish({ type: 'log', data: l });
  }

  private http(x: HttpExchange): void {
    const exchange = { ...x, outcome: x.requestId ? this.outcomes.get(x.requestId) : undefined };
    this.exchanges.push(exchange);
    if (this.exchanges.length > (this.limits.exchanges ?? 300)) this.exchanges.shift();
    this.publish({ type: 'http', data: exchange });
  }
}
