import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { closeServer, listenOnLoopback, loopbackUrl } from '../loopback';

/** One API route: `GET /api/topics` → handler. Path parameters as `:name`. */
export interface ConsoleRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly handle: (params: Record<string, string>, body: unknown) => Promise<unknown> | unknown;
}

/** A request the API refuses, with the status to answer. */
export class ConsoleRequestError extends Error {
  constructor(readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleRequestError';
  }
}

const STATIC_DIR = path.join(__dirname, 'static');
const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/console.css': 'console.css',
  '/console.js': 'console.js',
};
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The console's HTTP server: the static page, a JSON API and one server-sent event stream. It
 * listens on 127.0.0.1 only. Requests that change something (run a chain, redrive) must be
 * `POST` with `content-type: application/json` and, when the browser sends an `Origin`, come
 * from the console's own origin: a page of another site can send neither without the console's
 * consent, so it cannot drive the pipeline through the reader's browser.
 */
export class ConsoleServer {
  private readonly server: http.Server;
  private readonly streams = new Set<http.ServerResponse>();

  constructor(private readonly routes: readonly ConsoleRoute[], private readonly onStream: (send: (event: string, data: unknown) => void) => () => void) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Starts listening on 127.0.0.1 at `port` (0: any free port) and resolves to the console's URL. */
  listen(port = 0): Promise<string> {
    return listenOnLoopback(this.server, port);
  }

  /** The console's URL (`http://127.0.0.1:<port>`), once listening. */
  get url(): string {
    return loopbackUrl(this.server);
  }

  /** Ends the open event streams and closes the server. */
  async close(): Promise<void> {
    for (const s of this.streams) s.end();
    await closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    try {
      const file = STATIC_FILES[url.pathname];
      if (req.method === 'GET' && file) {
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)], 'cache-control': 'no-store' });
        res.end(fs.readFileSync(path.join(STATIC_DIR, file)));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/api/events') return this.stream(req, res);
      for (const route of this.routes) {
        const params = match(route.path, url.pathname);
        if (!params || route.method !== req.method) continue;
        let body: unknown;
        if (route.method === 'POST') {
          if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new ConsoleRequestError(415, 'POST requests must be application/json');
          const origin = req.headers.origin;
          if (origin !== undefined && origin !== this.url && origin !== `http://localhost:${(this.server.address() as AddressInfo).port}`) {
            throw new ConsoleRequestError(403, `requests from ${origin} are refused; the console answers its own page only`);
          }
          body = await readJson(req);
        }
        json(200, await route.handle(params, body));
        return;
      }
      json(404, { message: `no ${req.method} ${url.pathname}` });
    } catch (e) {
      const status = e instanceof ConsoleRequestError ? e.status : 500;
      if (!res.headersSent) json(status, { message: (e as Error).message });
      else res.end();
    }
  }

  private stream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    this.streams.add(res);
    const unsubscribe = this.onStream((event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    req.on('close', () => {
      unsubscribe();
      this.streams.delete(res);
    });
  }
}

function match(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ConsoleRequestError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new ConsoleRequestError(400, `request body is not JSON: ${(e as Error).message}`, { cause: e });
  }
}
