/**
 * One execution environment of an emulated function: runs in a worker thread (its own module
 * state and `process.env`), loads the handler once (the init phase) and runs one invocation at a
 * time, as Lambda's Node.js runtime does. Self-contained (Node.js built-ins only): the host loads
 * it either compiled (`function-worker.js`) or transpiled from this file.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type * as tls from 'tls';
import * as url from 'url';
import { parentPort, workerData } from 'worker_threads';
import type { WorkerData, WorkerReply, WorkerRequest, ConnectionRefusal, LocalBrokerTls } from './worker-protocol';

const data = workerData as WorkerData;
const port = parentPort!;

// NODE_OPTIONS does not reach a worker thread; honour the flag NodejsFunction sets for source maps.
if ((process.env.NODE_OPTIONS ?? '').includes('--enable-source-maps')) process.setSourceMapsEnabled?.(true);

// Lambda runs the function on its template's Node.js runtime (22 or later), where the AWS SDK has
// no Node.js version notice to give; the local Node.js may be older. Dropped here, in the worker,
// rather than by a variable the template does not hold.
const SDK_NODE_VERSION_WARNING = 'NodeVersionSupportWarning';
const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (text.startsWith(SDK_NODE_VERSION_WARNING)) return;
  emitWarning(warning, ...rest);
}) as typeof process.emitWarning;

// Output goes to the parent on the same port as the results, tagged with the invocation that
// wrote it: the worker's own stdout is a separate channel, whose lines may arrive after the
// result and so after the next invocation began.
let currentId: string | undefined;
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    post({ log: text, id: currentId });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  }) as typeof stream.write;
}

guardConnections(data.refusals ?? []);
if (data.brokerTls) trustLocalBroker(data.brokerTls);
resolveAsLambda(path.resolve(data.codeDir), data.runtimeModulesFrom, data.runtimeProvided ?? []);

type Handler = (event: unknown, context: unknown, callback: (error: unknown, value?: unknown) => void) => unknown;
let handlerPromise: Promise<Handler> | undefined;

function loadHandler(): Promise<Handler> {
  handlerPromise ??= (async () => {
    const dot = data.handler.lastIndexOf('.');
    const file = path.join(data.codeDir, data.handler.slice(0, dot));
    const exportName = data.handler.slice(dot + 1);
    let mod: Record<string, any>;
    try {
      mod = require(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const mjs = `${file}.mjs`;
      if ((code === 'ERR_REQUIRE_ESM' || code === 'MODULE_NOT_FOUND') && fs.existsSync(mjs)) mod = await import(url.pathToFileURL(mjs).href);
      else throw e;
    }
    const fn = mod[exportName] ?? mod.default?.[exportName];
    if (typeof fn !== 'function') {
      const error = new Error(`${data.handler} is undefined or not exported`);
      error.name = 'Runtime.HandlerNotFound';
      throw error;
    }
    return fn as Handler;
  })();
  return handlerPromise;
}

function serialiseError(e: unknown): NonNullable<WorkerReply['error']> {
  if (e instanceof Error) return { errorType: e.name || 'Error', errorMessage: e.message, stack: e.stack };
  return { errorType: 'Error', errorMessage: typeof e === 'string' ? e : JSON.stringify(e) };
}

function post(message: WorkerReply | { log: string; id?: string }): void {
  port.postMessage(message);
}

port.on('message', async (msg: WorkerRequest) => {
  currentId = msg.id;
  if (msg.type === 'init') {
    try {
      await loadHandler();
      post({ id: msg.id, ok: true });
    } catch (e) {
      post({ id: msg.id, ok: false, error: serialiseError(e) });
    }
    return;
  }
  const ctx = msg.context;
  const context = {
    ...ctx,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, ctx.deadline - Date.now()),
    done() {},
    succeed() {},
    fail() {},
  };
  try {
    const handler = await loadHandler();
    const result = await new Promise((resolve, reject) => {
      const callback = (error: unknown, value?: unknown) => (error ? reject(error) : resolve(value));
      const returned = handler(msg.event, context, callback) as { then?: unknown } | undefined;
      if (returned && typeof returned.then === 'function') (returned as Promise<unknown>).then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    });
    let cloned: unknown = result;
    try {
      cloned = result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch {
      cloned = String(result);
    }
    post({ id: msg.id, ok: true, result: cloned });
  } catch (e) {
    post({ id: msg.id, ok: false, error: serialiseError(e) });
  }
});

/**
 * Refuses, at once, connections this function could not make on AWS (a service without an
 * endpoint or NAT, brokers outside its network, a public address without internet egress): every
 * TCP client (the AWS SDK's HTTP handler, fetch, kafkajs) goes through `net.Socket#connect`,
 * patched here in this worker only (a worker has its own module state). The error names the
 * function, the service and what is missing; on AWS the connection would hang until timeout.
 */
function guardConnections(refusals: readonly ConnectionRefusal[]): void {
  if (refusals.length === 0) return;
  const byPort = new Map(refusals.map((r) => [r.port, r]));
  const connect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = connectTarget(args);
    const refusal = target && LOOPBACK.has(target.host) ? byPort.get(target.port) : undefined;
    if (!refusal) return connect.apply(this, args);
    const error = Object.assign(new Error(refusal.message), { code: 'ENETUNREACH', syscall: 'connect', address: target!.host, port: target!.port });
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof net.Socket.prototype.connect;
}

/**
 * Lets the function's TLS clients verify the local broker's self-signed certificate, as MSK's
 * brokers verify against the public CAs Node.js already trusts: `tls.connect` to the broker's
 * loopback ports gets its certificate as the one `ca` (the function's code, and so its `ssl: true`,
 * stay as they are). Per worker: NODE_EXTRA_CA_CERTS is read once per process, at its start. An
 * IP address is no TLS server name (RFC 6066), so none is sent for one.
 */
function trustLocalBroker(broker: LocalBrokerTls): void {
  const ports = new Set(broker.ports);
  // The module object itself (an `import * as` namespace is a copy once transpiled to CommonJS).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tlsModule = require('tls') as { connect: (...args: unknown[]) => tls.TLSSocket };
  const connect = tlsModule.connect;
  tlsModule.connect = function trustingConnect(...args: unknown[]): tls.TLSSocket {
    const options = args[0];
    if (options === null || typeof options !== 'object') return connect(...args);
    const target = options as tls.ConnectionOptions;
    if (!LOOPBACK.has(target.host ?? 'localhost') || !ports.has(Number(target.port))) return connect(...args);
    const servername = target.servername && !net.isIP(target.servername) ? target.servername : undefined;
    return connect({ ...target, ca: broker.ca, servername }, ...args.slice(1));
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);

/** Host and port of a `Socket#connect` call (options object, `(port, host)`, or Node's normalized array). */
function connectTarget(args: unknown[]): { host: string; port: number } | undefined {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first !== null && typeof first === 'object') {
    const options = first as { host?: string; port?: number | string; path?: string };
    // A truthy path is a pipe (Node.js ignores host and port then); HTTP agents pass `path: null`.
    if (options.path || options.port === undefined) return undefined;
    return { host: options.host ?? 'localhost', port: Number(options.port) };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) };
  }
  return undefined;
}

/**
 * Bare module names the function's code leaves outside its bundle resolve as on Lambda: from the
 * function's own node_modules (bundling.nodeModules), then from the runtime, which provides the
 * AWS SDK v3 (here: this package's copy). Anything else fails at load, as it would on Lambda,
 * even if a node_modules above cdk.out happens to have it.
 */
function resolveAsLambda(codeDir: string, runtimeModulesFrom: string | undefined, runtimeProvided: readonly string[]): void {
  const Module = require('module') as { _resolveFilename: (...args: any[]) => string; isBuiltin: (name: string) => boolean };
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (this: unknown, request: string, parent: { filename?: string } | undefined, isMain: boolean, options?: unknown) {
    const fromCode = typeof parent?.filename === 'string' && parent.filename.startsWith(codeDir + path.sep);
    if (!fromCode || Module.isBuiltin(request) || request.startsWith('.') || path.isAbsolute(request)) {
      return resolveFilename.call(this, request, parent, isMain, options);
    }
    const parts = request.split('/');
    const packageName = request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    if (fs.existsSync(path.join(codeDir, 'node_modules', packageName))) {
      return resolveFilename.call(this, request, parent, isMain, { paths: [codeDir] });
    }
    if (runtimeModulesFrom && runtimeProvided.some((prefix) => request.startsWith(prefix))) {
      return resolveFilename.call(this, request, parent, isMain, { paths: [runtimeModulesFrom] });
    }
    const error: NodeJS.ErrnoException = new Error(`Cannot find module '${request}': it is neither in the bundle nor in the function's node_modules, and Lambda's Node.js runtime provides only ${runtimeProvided.join(', ')} (bundle it, or list it in bundling.nodeModules)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  };
}
