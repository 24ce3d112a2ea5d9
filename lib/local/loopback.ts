import type * as http from 'http';
import type { AddressInfo } from 'net';

/**
 * Local HTTP servers (emulated APIs, the console) listen on 127.0.0.1 only: nothing of the
 * local graph is reachable from another machine.
 */

/** Listens on 127.0.0.1 (`port` 0 = any free port) and returns the base URL. */
export async function listenOnLoopback(server: http.Server, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return loopbackUrl(server);
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function loopbackUrl(server: http.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and every connection it still holds (keep-alive, event streams). */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
