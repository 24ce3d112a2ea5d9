import type { CloudEvent } from '../../lambdas/runtime/cloudevents';
import { taskFilters } from '../../lambdas/runtime/chain/events';
import type { JoinStore } from '../../lambdas/runtime/chain/join-store';
import { TaskRunner, type TaskFunction } from '../../lambdas/runtime/chain/task-runner';
import { matchesAny } from '../../lib/local/emulator/filter';

/** One start of a task function, as the bus saw it. */
export interface BusStart {
  readonly task: string;
  readonly generation: number;
  readonly inputs: Record<string, unknown>;
}

/**
 * A chain's tasks wired by an in-memory topic instead of Kafka, against a real join store: each
 * task reads, in order, the events its mapping's filters let through (as one consumer group
 * per task would), and everything any task publishes is delivered to every task again.
 * `gate(task)` holds a task's function until `release(task)`, to order runs across tasks.
 */
export class ChainBus {
  readonly events: CloudEvent[] = [];
  readonly starts: BusStart[] = [];
  private readonly tails = new Map<string, Promise<void>>();
  private readonly gates = new Map<string, { opened: Promise<void>; open: () => void }>();
  private inFlight = 0;
  /** Deliveries whose task function waits at a gate. */
  private blocked = 0;
  private readonly errors: unknown[] = [];

  constructor(
    private readonly chain: string,
    private readonly tasks: ReadonlyArray<{ name: string; dependsOn?: string[] }>,
    private readonly store: JoinStore,
  ) {}

  private readonly runners = new Map<string, TaskRunner>();

  private runner(name: string, dependsOn: string[]): TaskRunner {
    let runner = this.runners.get(name);
    if (!runner) {
      const fn: TaskFunction = async ({ runId, task, generation, inputs }) => {
        this.starts.push({ task, generation, inputs: { ...inputs } });
        const gate = this.gates.get(task);
        if (gate) {
          this.blocked++;
          await gate.opened;
          this.blocked--;
        }
        return { uri: `mem://${runId}/${task}/${generation}` };
      };
      const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
      runner = new TaskRunner({ chain: this.chain, task: name, dependsOn, maxAttempts: 1, retryBaseMs: 10, defaultLeaseMs: 60_000 }, fn, this.store, async (_r, e) => this.send(e), quiet);
      this.runners.set(name, runner);
    }
    return runner;
  }

  /** Holds `task`'s function (every start of it) until `release(task)`. */
  gate(task: string): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gates.set(task, { opened, open });
  }

  release(task: string): void {
    this.gates.get(task)?.open();
    this.gates.delete(task);
  }

  /** Publishes events onto the bus: each task whose filters match gets them, in order. */
  send(events: CloudEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      for (const t of this.tasks) {
        if (!matchesAny(taskFilters(this.chain, t.name, t.dependsOn ?? []), { value: event })) continue;
        const runner = this.runner(t.name, t.dependsOn ?? []);
        this.inFlight++;
        const tail = (this.tails.get(t.name) ?? Promise.resolve()).then(() => runner.handle(event)).catch((e) => void this.errors.push(e)).finally(() => this.inFlight--);
        this.tails.set(t.name, tail);
      }
    }
  }

  /**
   * Resolves once every delivery has been handled but those whose task function waits at a
   * gate; throws the first handler error.
   */
  async settled(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      quiet = this.inFlight === this.blocked ? quiet + 1 : 0;
    }
    if (this.errors.length > 0) throw this.errors[0];
  }

  /** Starts of `task`, by generation, in the order they happened. */
  generationsOf(task: string): number[] {
    return this.starts.filter((s) => s.task === task).map((s) => s.generation);
  }
}
