import { HttpApiServer } from '../../lib/local/emulator/http';
import { HttpUrlRegistry } from '../../lib/local/emulator/http-urls';
import type { RouteModel } from '../../lib/local/emulator/model';

/** The URL registry over real loopback servers (no function is invoked). */
describe('HttpUrlRegistry', () => {
  const servers: HttpApiServer[] = [];
  const registry = new HttpUrlRegistry();
  const noInvoker = async () => ({ ok: false, requestId: 'none' });

  beforeAll(async () => {
    // GIVEN two stacks with an API `Api` each, and one stack with an API `Admin`
    for (const key of ['One/Api', 'Two/Api', 'One/Admin']) {
      const server = new HttpApiServer(key, noInvoker);
      await server.listen(0);
      registry.add(server);
      servers.push(server);
    }
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('a full key gives its own server\'s URL', () => {
    expect(registry.urlFor('Two/Api')).toBe(servers[1].url);
    expect(registry.urls()).toEqual({ 'One/Api': servers[0].url, 'Two/Api': servers[1].url, 'One/Admin': servers[2].url });
  });

  test('a bare logical id one stack alone has gives that API', () => {
    expect(registry.urlFor('Admin')).toBe(servers[2].url);
  });

  test.each([
    ['Api', "HTTP API 'Api' is ambiguous: stacks One, Two each have an API 'Api'; use httpUrlFor('One/Api') or httpUrlFor('Two/Api') (RouteModel.api)"],
    ['Three/Api', "No HTTP API 'Three/Api': the keys are <stack>/<logical id> (RouteModel.api), known: One/Api, Two/Api, One/Admin"],
  ])('urlFor(%s) throws, naming the keys', (key, message) => {
    expect(() => registry.urlFor(key)).toThrow(message);
  });

  test('the legacy record lists full keys only, and reads bare ids through urlFor', () => {
    const legacy = registry.legacyRecord();
    expect(Object.keys(legacy)).toEqual(['One/Api', 'Two/Api', 'One/Admin']);
    expect(legacy.Admin).toBe(servers[2].url);
    expect(() => legacy.Api).toThrow(/is ambiguous/);
  });

  test('a route key finds the API serving it; an unserved one gives undefined', () => {
    const routes: RouteModel[] = [{ apiLogicalId: 'Api', api: 'Two/Api', stack: 'Two', routeKey: 'POST /posts', functionName: 'Two-Posts', payloadFormatVersion: '2.0' }];
    expect(registry.urlOf('POST /posts', routes)).toBe(servers[1].url);
    expect(registry.urlOf('GET /none', routes)).toBeUndefined();
  });
});
