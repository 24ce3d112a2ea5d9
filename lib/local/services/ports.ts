import * as net from 'net';

/**
 * A port that is free on 127.0.0.1 right now: the kernel picks it, we release it at once.
 * Another process could take it before the JVM binds it; the start fails loudly if so.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Resolves when `check` returns true; rejects with `describe()` after `timeoutMs`. */
export async function pollUntil(
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined; describe: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw new Error(aborted);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(options.describe());
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}
