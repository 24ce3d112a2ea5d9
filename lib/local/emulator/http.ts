import { randomUUID } from 'crypto';
import * as http from 'http';
import { closeServer, listenOnLoopback, loopbackUrl } from '../loopback';
import { RouteModel } from './model';

/** Largest request body API Gateway accepts. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export type RouteInvoker = (functionName: string, event: unknown) => Promise<{ ok: boolean; result?: unknown; timedOut?: boolean; requestId?: string }>;

/**
 * One request an API answered, for the emulator's feed: no headers and no body, which may carry
 * signatures and secrets; only the `code` and `message` of an error answer's JSON body.
 */
export interface HttpExchange {
  /** `<stack>/<logical id>` of the API. */
  readonly api: string;
  readonly method: string;
  readonly path: string;
  readonly routeKey?: string;
  readonly functionName?: string;
  /** The invocation's request id (its log lines carry it). */
  readonly requestId?: string;
  readonly status: number;
  readonly time: string;
  readonly durationMs: number;
  /** `code` (or `error`) and `message` of a 4xx/5xx JSON answer, when it has them. */
  readonly code?: string;
  readonly message?: string;
}

interface CompiledRoute {
  readonly route: RouteModel;
  readonly method: string;
  readonly segments: string[];
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|application\/[^;]*\+(json|xml))/i;

/**
 * An HTTP API (API Gateway v2) on a loopback port: routes matched as API Gateway matches them
 * (most specific path first, greedy `{proxy+}` last, `$default` as fallback), payload format
 * 2.0 events, and the function's result mapped back to a response. One server per API, named
 * `<stack>/<logical id>`: the stacks of one app often share an API's logical id.
 */
export class HttpApiServer {
  private readonly server: http.Server;
  private routes: CompiledRoute[] = [];

  /** `api`: the API's `<stack>/<logical id>` (`RouteModel.api`). */
  constructor(readonly api: string, private readonly invoker: RouteInvoker, private readonly onExchange?: (exchange: HttpExchange) => void) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  /** Listens on 127.0.0.1 (`port` 0 = any free port) and returns the base URL. */
  listen(port = 0): Promise<string> {
    return listenOnLoopback(this.server, port);
  }

  get url(): string {
    return loopbackUrl(this.server);
  }

  setRoutes(routes: RouteModel[]): void {
    this.routes = routes.filter((r) => r.api === this.api).map((route) => {
      if (route.routeKey === '$default') return { route, method: '$default', segments: [] };
      const [method, path] = route.routeKey.split(/\s+/, 2);
      return { route, method: method.toUpperCase(), segments: path.split('/').filter(Boolean) };
    });
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
    const parts = path.split('/').filter(Boolean);
    let best: { route: CompiledRoute; params: Record<string, string>; score: number } | undefined;
    for (const r of this.routes) {
      if (r.method === '$default') continue;
      if (r.method !== 'ANY' && r.method !== method) continue;
      const params: Record<string, string> = {};
      let score = 0;
      let ok = true;
      for (let i = 0; i < r.segments.length; i++) {
        const seg = r.segments[i];
        const greedy = /^\{(.+)\+\}$/.exec(seg);
        if (greedy) {
          if (i !== r.segments.length - 1 || parts.length <= i) { ok = false; break; }
          params[greedy[1]] = parts.slice(i).map(decodeURIComponent).join('/');
          score += 1;
          break;
        }
        if (i >= parts.length) { ok = false; break; }
        const param = /^\{(.+)\}$/.exec(seg);
        if (param) { params[param[1]] = decodeURIComponent(parts[i]); score += 10; } else if (seg === parts[i]) { score += 100; } else { ok = false; break; }
      }
      const greedyLast = r.segments.length > 0 && /\+\}$/.test(r.segments[r.segments.length - 1]);
      if (!ok || (!greedyLast && r.segments.length !== parts.length)) continue;
      if (r.method === method) score += 5; // an exact method beats ANY
      if (!best || score > best.score) best = { route: r, params, score };
    }
    if (best) return best;
    const fallback = this.routes.find((r) => r.method === '$default');
    return fallback ? { route: fallback, params: {} } : undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const seen: { routeKey?: string; functionName?: string; requestId?: string; body?: unknown } = {};
    if (this.onExchange) res.once('finish', () => this.onExchange!(exchange(this.api, req, res.statusCode, started, seen)));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      seen.body = body;
      res.writeHead(status, { 'content-type': 'application/json', 'apigw-requestid': randomUUID(), ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_PAYLOAD_BYTES) {
          send(413, { message: 'Request Entity Too Large' });
          req.destroy();
          return;
        }
        chunks.push(chunk as Buffer);
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const matched = this.match(method, url.pathname);
      if (!matched) {
        send(404, { message: 'Not Found' });
        return;
      }
      const signer = matched.route.route.authorizationType === 'AWS_IAM' ? sigV4AccessKey(req, url) : undefined;
      if (matched.route.route.authorizationType === 'AWS_IAM' && !signer) {
        // API Gateway refuses an unsigned request to an IAM route before the function runs. The
        // signature itself is not checked against IAM here (a later step of local mode).
        // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
        send(403, { message: 'Missing Authentication Token' });
        return;
      }
      const event = toEvent(req, url, method, matched.route.route.routeKey, matched.params, Buffer.concat(chunks));
      if (signer) (event.requestContext as Record<string, unknown>).authorizer = { iam: { accessKey: signer, accountId: '000000000000', userArn: `arn:aws:iam::000000000000:user/${signer}` } };
      seen.routeKey = matched.route.route.routeKey;
      seen.functionName = matched.route.route.functionName;
      const out = await this.invoker(matched.route.route.functionName, event);
      seen.requestId = out.requestId;
      seen.body = (out.result as { body?: unknown } | undefined)?.body;
      if (out.timedOut) {
        send(503, { message: 'Service Unavailable' });
        return;
      }
      if (!out.ok) {
        send(500, { message: 'Internal Server Error' });
        return;
      }
      writeResult(res, out.result);
    } catch (e) {
      if (!res.headersSent) send(500, { message: 'Internal Server Error' });
      else res.end();
      void e;
    }
  }
}

/** The access key of a SigV4-signed request (Authorization header or presigned query), else undefined. */
function sigV4AccessKey(req: http.IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  const fromHeader = typeof header === 'string' && header.startsWith('AWS4-HMAC-SHA256 ') && /Signature=[0-9a-f]{64}/.test(header) && req.headers['x-amz-date']
    ? /Credential=([^/]+)\//.exec(header)?.[1] : undefined;
  const fromQuery = url.searchParams.get('X-Amz-Signature') ? url.searchParams.get('X-Amz-Credential')?.split('/')[0] : undefined;
  return fromHeader ?? fromQuery ?? undefined;
}

function exchange(api: string, req: http.IncomingMessage, status: number, started: number, seen: { routeKey?: string; functionName?: string; requestId?: string; body?: unknown }): HttpExchange {
  let detail: { code?: unknown; error?: unknown; message?: unknown } = {};
  if (status >= 400) {
    try {
      const body = typeof seen.body === 'string' ? JSON.parse(seen.body) : seen.body;
      if (body && typeof body === 'object') detail = body as typeof detail;
    } catch { /* not JSON: nothing to show */ }
  }
  return {
    api,
    method: (req.method ?? 'GET').toUpperCase(),
    path: new URL(req.url ?? '/', 'http://localhost').pathname,
    routeKey: seen.routeKey,
    functionName: seen.functionName,
    requestId: seen.requestId,
    status,
    time: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    code: typeof detail.code === 'string' ? detail.code : typeof detail.error === 'string' ? detail.error : undefined,
    message: typeof detail.message === 'string' ? detail.message.slice(0, 300) : undefined,
  };
}

function toEvent(req: http.IncomingMessage, url: URL, method: string, routeKey: string, params: Record<string, string>, body: Buffer): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    if (k === 'cookie') {
      cookies = (Array.isArray(v) ? v.join('; ') : v).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = Date.now();
  const requestId = randomUUID();
  const contentType = headers['content-type'];
  const isBase64Encoded = body.length > 0 && contentType !== undefined && !TEXT_TYPES.test(contentType);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
  };
  if (cookies) event.cookies = cookies;
  event.headers = headers;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  event.requestContext = {
    accountId: '000000000000',
    apiId: 'local',
    domainName: headers.host ?? 'localhost',
    domainPrefix: (headers.host ?? 'localhost').split('.')[0],
    http: {
      method,
      path: url.pathname,
      protocol: `HTTP/${req.httpVersion}`,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      userAgent: headers['user-agent'] ?? '',
    },
    requestId,
    routeKey,
    stage: '$default',
    time: new Date(now).toISOString(),
    timeEpoch: now,
  };
  if (Object.keys(params).length > 0) event.pathParameters = params;
  if (body.length > 0) event.body = isBase64Encoded ? body.toString('base64') : body.toString('utf8');
  event.isBase64Encoded = isBase64Encoded;
  return event;
}

/** Maps a payload 2.0 result the way API Gateway does (a bare value becomes a 200 JSON body). */
function writeResult(res: http.ServerResponse, result: unknown): void {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as { statusCode: number; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: boolean; cookies?: string[] };
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
    if (r.cookies?.length) headers['set-cookie'] = r.cookies;
    if (!headers['content-type']) headers['content-type'] = 'application/json';
    res.writeHead(Number(r.statusCode), headers);
    const body = r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.end(r.isBase64Encoded ? Buffer.from(body, 'base64') : body);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(result === null || result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result));
}
