import { validateChain, type ChainDeclaration, type TaskDeclaration } from './declaration';

/** Where a task stands in one run, as the status command shows it. */
export type TaskState = 'waiting' | 'running' | 'succeeded' | 'failed';

/** One task's line in a run's status or timeline. */
export interface TaskRunStatus {
  /** Name of the task, as declared in the chain. */
  readonly task: string;
  /** Where the task stands in the run; `waiting` when it has not started (no status item yet). */
  readonly state: TaskState;
  /** 1-based attempt of the task function within its latest start (the last one tried, when failed); absent while waiting. */
  readonly attempt?: number;
  /** 0 for the run itself, a larger number for each rerun. */
  readonly generation?: number;
  /** When the task's latest start began (ISO 8601); absent while waiting. */
  readonly startedAt?: string;
  /** When the task's latest start succeeded or failed (ISO 8601); absent while waiting or running. */
  readonly finishedAt?: string;
  /** The task's result pointer (`ResultPointer` of the runtime), once it succeeded. */
  readonly result?: unknown;
  /** `<error name>: <message>` of the last failed attempt, when the task failed. */
  readonly error?: string;
}

/**
 * The validated dependency graph of a chain: roots, sinks, downstream closure, topological
 * order and pictures. Built once from a declaration; never mutated.
 */
export class ChainGraph {
  /** Validates the declaration (throws ChainDeclarationError) and builds the graph. */
  static of(chain: ChainDeclaration): ChainGraph {
    validateChain(chain);
    return new ChainGraph(chain);
  }

  /** The chain's name, from its declaration (used in its topic name `chain.<name>.events`). */
  readonly name: string;
  private readonly byName: Map<string, TaskDeclaration>;
  private readonly dependents = new Map<string, string[]>();

  private constructor(
    /** The declaration the graph was built from, as given (validated). */
    readonly declaration: ChainDeclaration,
  ) {
    this.name = declaration.name;
    this.byName = new Map(declaration.tasks.map((t) => [t.name, t]));
    for (const task of declaration.tasks) this.dependents.set(task.name, []);
    for (const task of declaration.tasks) for (const dep of task.dependsOn ?? []) this.dependents.get(dep)!.push(task.name);
  }

  /** Task names in declaration order. */
  get taskNames(): string[] {
    return this.declaration.tasks.map((t) => t.name);
  }

  /** The declaration of task `name`; throws naming the chain's tasks when there is no such task. */
  task(name: string): TaskDeclaration {
    const task = this.byName.get(name);
    if (!task) throw new Error(`chain "${this.name}" has no task "${name}" (tasks: ${this.taskNames.join(', ')})`);
    return task;
  }

  /** The tasks `name` directly depends on (its `dependsOn`, a copy); throws for an unknown task. */
  dependenciesOf(name: string): string[] {
    return [...(this.task(name).dependsOn ?? [])];
  }

  /** The tasks that directly depend on `name`, in declaration order (a copy); throws for an unknown task. */
  dependentsOf(name: string): string[] {
    this.task(name);
    return [...this.dependents.get(name)!];
  }

  /** Tasks without dependencies: they start on run.requested. */
  roots(): string[] {
    return this.taskNames.filter((n) => this.dependenciesOf(n).length === 0);
  }

  /** Tasks nothing depends on: a run is done when all of them succeeded. */
  sinks(): string[] {
    return this.taskNames.filter((n) => this.dependents.get(n)!.length === 0);
  }

  /** `name` and every task that transitively depends on it, in topological order: what a rerun of `name` runs. */
  downstream(name: string): string[] {
    const reached = new Set<string>([name]);
    const queue = [name];
    while (queue.length > 0) {
      for (const next of this.dependentsOf(queue.shift()!)) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    return this.topologicalOrder().filter((n) => reached.has(n));
  }

  /** Every task after all of its dependencies; ties keep declaration order (Kahn's algorithm). */
  topologicalOrder(): string[] {
    const remaining = new Map(this.taskNames.map((n) => [n, this.dependenciesOf(n).length]));
    const order: string[] = [];
    while (order.length < this.taskNames.length) {
      const ready = this.taskNames.filter((n) => remaining.get(n) === 0);
      for (const n of ready) {
        remaining.set(n, -1);
        order.push(n);
        for (const d of this.dependents.get(n)!) remaining.set(d, remaining.get(d)! - 1);
      }
    }
    return order;
  }

  /** Length (in tasks) of the longest dependency path: the number of hops a run waits at least. */
  depth(): number {
    const level = new Map<string, number>();
    for (const n of this.topologicalOrder()) level.set(n, 1 + Math.max(0, ...this.dependenciesOf(n).map((d) => level.get(d)!)));
    return Math.max(...level.values());
  }

  /** A Mermaid flowchart (left to right); with `statuses`, each node is styled by its state in a run. */
  mermaid(statuses?: TaskRunStatus[]): string {
    const id = (n: string) => n.replace(/-/g, '_');
    const lines = ['flowchart LR'];
    const schedule = this.declaration.schedule;
    if (schedule) {
      lines.push(`  schedule(["${schedule.expression} ${schedule.timeZone ?? 'UTC'}"])`);
    }
    for (const n of this.taskNames) lines.push(`  ${id(n)}[${n}]`);
    for (const root of this.roots()) if (schedule) lines.push(`  schedule -. run.requested .-> ${id(root)}`);
    for (const n of this.taskNames) for (const d of this.dependenciesOf(n)) lines.push(`  ${id(d)} --> ${id(n)}`);
    if (statuses) {
      lines.push(
        '  classDef succeeded fill:#d4edda,stroke:#28a745',
        '  classDef running fill:#fff3cd,stroke:#ffc107',
        '  classDef failed fill:#f8d7da,stroke:#dc3545',
        '  classDef waiting fill:#eeeeee,stroke:#999999',
      );
      for (const s of statuses) lines.push(`  class ${id(s.task)} ${s.state}`);
    }
    return lines.join('\n');
  }
}

/**
 * A run's timeline as text: one bar per task on a shared time axis, `width` characters wide,
 * in start order; tasks that have not started are listed as waiting.
 */
export function timelineText(statuses: TaskRunStatus[], width = 50): string {
  const started = statuses.filter((s) => s.startedAt).sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
  const pad = Math.max(4, ...statuses.map((s) => s.task.length));
  if (started.length === 0) return statuses.map((s) => `${s.task.padEnd(pad)}  ${s.state}`).join('\n');
  const t0 = Date.parse(started[0].startedAt!);
  const ends = started.map((s) => (s.finishedAt ? Date.parse(s.finishedAt) : Date.now()));
  const span = Math.max(1, Math.max(...ends) - t0);
  const col = (t: number) => Math.min(width - 1, Math.floor(((t - t0) / span) * (width - 1)));
  const lines = [`${''.padEnd(pad)}  0 ms${' '.repeat(Math.max(1, width - 8))}${span} ms`];
  for (const s of started) {
    const from = col(Date.parse(s.startedAt!));
    const end = s.finishedAt ? Date.parse(s.finishedAt) : Date.now();
    const to = Math.max(from, col(end));
    const mark = s.state === 'failed' ? 'x' : s.state === 'running' ? '>' : '#';
    const bar = ' '.repeat(from) + mark.repeat(to - from + 1);
    const took = end - Date.parse(s.startedAt!);
    lines.push(`${s.task.padEnd(pad)}  ${bar.padEnd(width)}  ${s.state} +${Date.parse(s.startedAt!) - t0}ms ${took}ms`);
  }
  for (const s of statuses.filter((x) => !x.startedAt)) lines.push(`${s.task.padEnd(pad)}  ${''.padEnd(width)}  ${s.state}`);
  return lines.join('\n');
}
