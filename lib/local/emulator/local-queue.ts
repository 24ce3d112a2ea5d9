import * as fs from 'fs';
import * as path from 'path';

/**
 * Stand-in for SQS on-failure destinations: messages kept in memory (for tests) and appended
 * to `<dir>/<queue>.jsonl` (for people), one JSON document per line.
 */
export class LocalQueues {
  private readonly queues = new Map<string, unknown[]>();

  constructor(private readonly dir?: string) {}

  send(queue: string, body: unknown): void {
    const list = this.queues.get(queue) ?? [];
    list.push(body);
    this.queues.set(queue, list);
    if (this.dir) {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.appendFileSync(path.join(this.dir, `${queue}.jsonl`), `${JSON.stringify(body)}\n`);
    }
  }

  messages(queue: string): unknown[] {
    return [...(this.queues.get(queue) ?? [])];
  }

  names(): string[] {
    return [...this.queues.keys()];
  }
}
