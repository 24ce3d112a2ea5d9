import { ConsoleRequestError, ConsoleServer } from '../../lib/local/console/server';

describe('console server', () => {
  let server: ConsoleServer;
  const calls: unknown[] = [];

  beforeAll(async () => {
    server = new ConsoleServer([
      { method: 'POST', path: '/api/things/:name', handle: (p, body) => { calls.push({ p, body }); return { ok: true }; } },
      { method: 'GET', path: '/api/bad', handle: () => { throw new ConsoleRequestError(400, 'runId must be a string, got 3'); } },
    ], () => () => undefined);
    await server.listen(0);
  });
  afterAll(() => server.close());

  test('GIVEN the page WHEN served THEN it loads nothing from outside the console', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const js = await (await fetch(`${server.url}/console.js`)).text();
    expect(html).toContain('<script src="/console.js">');
    expect(`${html}${js}`).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  test('GIVEN a POST from the page WHEN it is JSON THEN the route gets its parameters and body', async () => {
    const res = await fetch(`${server.url}/api/things/a%20b`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: '{"x":1}' });
    expect(res.status).toBe(200);
    expect(calls).toEqual([{ p: { name: 'a b' }, body: { x: 1 } }]);
  });

  test.each([
    ['another origin', { 'content-type': 'application/json', origin: 'http://evil.example' }, 403, 'requests from http://evil.example are refused'],
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'POST requests must be application/json'],
  ])('GIVEN %s WHEN it POSTs THEN it is refused and nothing runs', async (_name, headers, status, message) => {
    const before = calls.length;
    const res = await fetch(`${server.url}/api/things/x`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toContain(message);
    expect(calls.length).toBe(before);
  });

  test('GIVEN a bad request WHEN the route refuses it THEN the status and message say why', async () => {
    const res = await fetch(`${server.url}/api/bad`);
    expect([res.status, await res.json()]).toEqual([400, { message: 'runId must be a string, got 3' }]);
  });
});
