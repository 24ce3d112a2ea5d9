import { backoff } from '../../lambdas/runtime/backoff';

describe('backoff', () => {
  test('GIVEN attempts from 1 WHEN no cap THEN the delay doubles from the base, the exponent held at 10', () => {
    expect([1, 2, 3, 4].map((attempt) => backoff(attempt, { baseMs: 100 }))).toEqual([100, 200, 400, 800]);
    expect(backoff(11, { baseMs: 1 })).toBe(1024);
    expect(backoff(50, { baseMs: 1 })).toBe(1024);
  });

  test('GIVEN a cap THEN no delay exceeds it (the emulator\'s batch retries: 100 ms doubling up to 2 s)', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoff(attempt, { baseMs: 100, capMs: 2000 }))).toEqual([100, 200, 400, 800, 1600, 2000]);
  });
});
