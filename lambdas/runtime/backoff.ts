/** Largest exponent of the doubling: 2^10 × the base is past every cap in use, and never overflows. */
const MAX_EXPONENT = 10;

/** How a backoff grows. */
export interface BackoffOptions {
  /** Delay before the second attempt, in ms (doubles per attempt). */
  readonly baseMs: number;
  /** Largest delay, in ms. @default no cap */
  readonly capMs?: number;
}

/**
 * Delay before retrying after `attempt` (counted from 1) failed: `baseMs × 2^(attempt − 1)`, the
 * exponent held at 10, at most `capMs`. One formula for the runtime's retries and the emulator's.
 */
export function backoff(attempt: number, options: BackoffOptions): number {
  const delay = options.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), MAX_EXPONENT);
  return options.capMs === undefined ? delay : Math.min(options.capMs, delay);
}
