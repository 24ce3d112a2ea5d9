import type { Admin } from 'kafkajs';
import { watermarks } from './topic-reader';

/**
 * Counts the records dead-lettered while a run lasts, by any writer (the runtime or the
 * mapping's on-failure destination): the growth of each dead-letter topic's high watermarks
 * since `start()`. Nothing but dead letters is written to these topics.
 */
export class DeadLetterTally {
  private readonly start = new Map<string, number>();

  constructor(private readonly admin: Admin, readonly topics: readonly string[]) {}

  /** Notes where each topic ends now. */
  async begin(): Promise<void> {
    for (const t of this.topics) this.start.set(t, await this.end(t));
  }

  /** Records added to each topic since `begin()`, for the topics that grew. */
  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of this.topics) {
      const added = (await this.end(t)) - (this.start.get(t) ?? 0);
      if (added > 0) out[t] = added;
    }
    return out;
  }

  private async end(topic: string): Promise<number> {
    const marks = await watermarks(this.admin, topic).catch(() => new Map<number, { high: number }>());
    return [...marks.values()].reduce((sum, m) => sum + m.high, 0);
  }
}
