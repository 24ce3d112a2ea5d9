import type { InvokeResult } from './function-host';
import type { InvocationRecord } from './mapping-runner';

/** What started an invocation that no mapping made. */
export type DirectTrigger = 'http' | 'schedule' | 'direct';

/**
 * Every invocation of a run, in the order they finished, and waits on them. Mappings hand their
 * records over as they are; an invocation from an HTTP route, a schedule or a direct invoke is
 * recorded from its `InvokeResult`, as one record with no event ids.
 */
export class InvocationRecorder {
  /** The invocations so far; the array grows in place. */
  readonly records: InvocationRecord[] = [];
  private readonly listeners = new Set<() => void>();

  /** `onRecord` sees each record once it is stored. */
  constructor(private readonly onRecord: (record: InvocationRecord) => void) {}

  record(record: InvocationRecord): void {
    this.records.push(record);
    this.onRecord(record);
    for (const listener of this.listeners) listener();
  }

  /** Records an invocation of `fn` started by `trigger` from its result. */
  recordResult(fn: { readonly name: string; readonly logicalId: string }, res: InvokeResult, trigger: DirectTrigger): void {
    this.record({
      functionName: fn.name,
      logicalId: fn.logicalId,
      mapping: trigger,
      trigger,
      eventIds: [],
      recordCount: 1,
      start: new Date(res.start).toISOString(),
      end: new Date(res.end).toISOString(),
      durationMs: res.end - res.start,
      coldStart: res.coldStart,
      outcome: res.outcome,
      error: res.error ? `${res.error.errorType}: ${res.error.errorMessage}` : undefined,
      requestId: res.requestId,
      stack: res.error?.stack,
    });
  }

  /**
   * Resolves with the first truthy value `check` returns over the records so far, checking again
   * after each record; rejects after `timeoutMs`, or with the error `check` throws.
   */
  waitFor<T>(check: (invocations: InvocationRecord[]) => T | undefined | null | false, timeoutMs: number): Promise<T> {
    const now = check(this.records);
    if (now) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const onRecord = () => {
        try {
          const v = check(this.records);
          if (v) {
            cleanup();
            resolve(v);
          }
        } catch (e) {
          cleanup();
          reject(e);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor: condition not met within ${timeoutMs} ms (${this.records.length} invocations so far)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(onRecord);
      };
      this.listeners.add(onRecord);
    });
  }
}
