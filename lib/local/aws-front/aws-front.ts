import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessKeyIdOf } from '../emulator/environment';
import { deniedMessage, RoleAuthorizer } from '../iam';
import type { EmulatorLogger } from '../emulator/logger';
import { accessDenied, FrontAnswer } from './denial';
import { FrontService, SecretArnOf, serviceCalls, signerOf, TARGET_PREFIX } from './service-calls';

/** What the front needs to start. */
export interface AwsFrontOptions {
  /** Decides each function's calls. */
  readonly authorizer: RoleAuthorizer;
  /** The assembly's functions (their access key ids identify the caller). */
  readonly functionNames: readonly string[];
  /** The ARN of a secret given by name. */
  readonly secretArnOf: SecretArnOf;
  /** Receives one entry per denial and per kind of request the front cannot evaluate. @default none */
  readonly logger?: EmulatorLogger;
}

/** The services the front stands before, in the order their ports are opened. */
const SERVICES: readonly FrontService[] = ['dynamodb', 'secretsmanager', 'sqs'];

/**
 * One loopback listener per service in front of its local stand-in (DynamoDB Local, the Secrets
 * Manager and SQS stand-ins): it tells which function signed a request by the access key id of its
 * SigV4 `Authorization` header (every function signs with its own, environment.ts), asks the
 * function's role (lib/local/iam) for every action and resource the request needs, and answers a
 * denied call as the service does; an allowed one is forwarded unchanged and its answer streamed
 * back. A request signed with a key no function has (a test, a scenario driver, the emulator
 * itself) is forwarded without evaluation, as a caller outside the assembly.
 */
export class AwsFront {
  static async start(options: AwsFrontOptions): Promise<AwsFront> {
    const front = new AwsFront(options);
    for (const service of SERVICES) {
      const server = http.createServer((req, res) => front.serve(service, req, res));
      server.keepAliveTimeout = 60_000;
      front.servers.set(service, server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return front;
  }

  private readonly servers = new Map<FrontService, http.Server>();
  private readonly upstreams = new Map<FrontService, URL>();
  private readonly functionByKey: ReadonlyMap<string, string>;
  /** Keep-alive connections to the stand-ins: a new TCP connection per call would double the hop's cost. */
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly unevaluated = new Set<string>();

  private constructor(private readonly options: AwsFrontOptions) {
    this.functionByKey = new Map(options.functionNames.map((name) => [accessKeyIdOf(name), name]));
  }

  /** The endpoint URL a function's SDK uses for `service` (its `AWS_ENDPOINT_URL_*`). */
  url(service: FrontService): string {
    const server = this.servers.get(service);
    if (!server) throw new Error(`AwsFront: no listener for ${service}`);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Where `service`'s calls are forwarded (the stand-in's or DynamoDB Local's URL). */
  route(service: FrontService, upstream: string): void {
    this.upstreams.set(service, new URL(upstream));
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await Promise.all([...this.servers.values()].map((server) => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    })));
  }

  private serve(service: FrontService, req: http.IncomingMessage, res: http.ServerResponse): void {
    const signer = signerOf(req.headers.authorization);
    const functionName = signer && this.functionByKey.get(signer.accessKeyId);
    if (!signer || functionName === undefined || !this.options.authorizer.governs(functionName)) {
      this.forward(service, req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.decide(service, functionName, signer.region, String(req.headers['x-amz-target'] ?? ''), body)
        .then((answer) => (answer ? write(res, answer) : this.forward(service, req, res, body)))
        .catch((e: Error) => write(res, { status: 500, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: 'InternalFailure', message: `Local AWS front: ${e.message}` }) }));
    });
  }

  /** The denial to answer, or undefined to forward. */
  private async decide(service: FrontService, functionName: string, region: string, target: string, body: Buffer): Promise<FrontAnswer | undefined> {
    const prefix = TARGET_PREFIX[service];
    if (!target.startsWith(prefix)) return this.skip(`${service} request without an ${prefix}* X-Amz-Target (${target || 'none'})`);
    let input: unknown;
    try {
      input = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return undefined; // the service itself answers a body that is not JSON
    }
    const calls = serviceCalls(service, target.slice(prefix.length), input, region, this.options.secretArnOf);
    if (!Array.isArray(calls)) return this.skip(calls.unmapped);
    for (const call of calls) {
      const decision = await this.options.authorizer.authorize({ functionName, action: call.action, resource: call.resource });
      if (decision.allowed) continue;
      // SQS words the action in lower case ("sqs:sendmessage").
      const action = service === 'sqs' ? call.action.toLowerCase() : call.action;
      const message = deniedMessage(decision.principal, { action, resource: call.named ?? call.resource }, decision.explicit);
      this.options.logger?.warn('call denied', { function: functionName, action: call.action, resource: call.resource });
      return accessDenied(service, message);
    }
    return undefined;
  }

  private skip(reason: string): undefined {
    if (!this.unevaluated.has(reason)) {
      this.unevaluated.add(reason);
      this.options.logger?.info('request not evaluated, forwarded', { reason });
    }
    return undefined;
  }

  /** Sends the request on unchanged (the buffered body, else the request streamed) and streams the answer back. */
  private forward(service: FrontService, req: http.IncomingMessage, res: http.ServerResponse, body?: Buffer): void {
    const upstream = this.upstreams.get(service);
    if (!upstream) {
      write(res, { status: 503, headers: { 'content-type': 'text/plain' }, body: `Local AWS front: no ${service} stand-in runs` });
      return;
    }
    const out = http.request({
      host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', (e) => {
      // The caller sees what it would without the front: a dropped connection, which the SDK retries
      // as a network error (an HTTP answer here would read as the service's).
      this.options.logger?.warn('stand-in unreachable', { service, upstream: upstream.href, error: e.message });
      res.destroy(e);
    });
    if (body) out.end(body);
    else req.pipe(out);
  }
}

function write(res: http.ServerResponse, answer: FrontAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}
