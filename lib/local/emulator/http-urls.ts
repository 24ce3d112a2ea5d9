import type { HttpApiServer } from './http';
import type { RouteModel } from './model';

/**
 * The emulated HTTP APIs' servers by `<stack>/<logical id>` (`RouteModel.api`), and the URL
 * lookups over them. A lookup that cannot answer throws, naming the key it was given and the keys
 * it knows, rather than returning undefined for a caller to trip over later.
 */
export class HttpUrlRegistry {
  private readonly servers = new Map<string, HttpApiServer>();

  /** Registers `server` under its API key (`server.api`). */
  add(server: HttpApiServer): void {
    this.servers.set(server.api, server);
  }

  has(key: string): boolean {
    return this.servers.has(key);
  }

  /** Every registered server, in registration (assembly) order. */
  all(): HttpApiServer[] {
    return [...this.servers.values()];
  }

  /** Base URL of the first API (undefined when there is none). */
  first(): string | undefined {
    return this.servers.values().next().value?.url;
  }

  /** Base URL of each API by `<stack>/<logical id>`. */
  urls(): Record<string, string> {
    return Object.fromEntries([...this.servers].map(([key, s]) => [key, s.url]));
  }

  /**
   * Base URL of the API `key`: `<stack>/<logical id>`, or a bare logical id that one stack alone
   * has an API of. Throws when no API has that key, or when several stacks have an API of that
   * logical id (two stages of one app), naming the keys to use.
   */
  urlFor(key: string): string {
    const exact = this.servers.get(key);
    if (exact) return exact.url;
    const matches = [...this.servers.keys()].filter((k) => logicalIdOf(k) === key);
    if (matches.length === 1) return this.servers.get(matches[0])!.url;
    if (matches.length > 1) {
      throw new Error(`HTTP API '${key}' is ambiguous: stacks ${matches.map(stackOf).join(', ')} each have an API '${key}'; use ${matches.map((k) => `httpUrlFor('${k}')`).join(' or ')} (RouteModel.api)`);
    }
    throw new Error(`No HTTP API '${key}': the keys are <stack>/<logical id> (RouteModel.api), known: ${[...this.servers.keys()].join(', ') || 'none'}`);
  }

  /**
   * Base URL of the API that serves `route`, or a route key such as `POST /posts` (the first route
   * of that key in assembly order); undefined when no emulated API serves it.
   */
  urlOf(route: Pick<RouteModel, 'api'> | string, routes: readonly RouteModel[]): string | undefined {
    const model = typeof route === 'string' ? routes.find((r) => r.routeKey === route) : route;
    return model && this.servers.get(model.api)?.url;
  }

  /**
   * The record `Emulator.httpUrls` returned before `urlFor`: `<stack>/<logical id>` keys, plus,
   * not enumerable, each bare logical id, which reads through `urlFor` (so an ambiguous one throws).
   */
  legacyRecord(): Readonly<Record<string, string>> {
    const urls = this.urls();
    for (const key of this.servers.keys()) {
      const logicalId = logicalIdOf(key);
      if (Object.prototype.hasOwnProperty.call(urls, logicalId)) continue;
      Object.defineProperty(urls, logicalId, { enumerable: false, get: () => this.urlFor(logicalId) });
    }
    return urls;
  }
}

function stackOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}

function logicalIdOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
