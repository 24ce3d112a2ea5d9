import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { LocalConsole } from '../../lib/local/console/local-console';
import { Emulator } from '../../lib/local/emulator';
import { runPaymentScenario } from '../../lib/local/scenarios/payment';
import { postsUrl } from '../../lib/local/scenarios/posts';
import { serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { buildBuggyExampleApp, POISON_PREFIX, withoutRejectPrefix } from './example-app';
import { signedPost } from '../../lib/local/scenarios/signed-post';

// The console in a real browser (Debian's Chromium, driven by puppeteer-core) during a local run
// of the example app: the graph, a chain run turning green in the grid, a poison record in its
// consumer's dead-letter topic and its redrive once the bug is fixed. CONSOLE_SCREENSHOTS=<dir>
// writes the main views there (docs/console/ holds the committed ones).
// The functions passed to page.evaluate/waitForFunction run in the page; the project compiles
// without the DOM library, so its two globals used there are declared here, for this file only.
declare const document: { querySelector(s: string): any; querySelectorAll(s: string): Iterable<any> };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS;
const services = () => serviceEndpoints();

let assemblyDir: string;
let emulator: Emulator | undefined;
let consoleUi: LocalConsole | undefined;
let browser: Browser;
let page: Page;
const logs: string[] = [];

async function startGraph(): Promise<void> {
  emulator = await Emulator.start({ assemblyDir, services: services(), onLog: (line) => logs.push(line) });
  consoleUi = await LocalConsole.start(emulator, { kafkaBrokers: services().kafkaBrokers, lagIntervalMs: 500 });
  await page.goto(consoleUi.url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#connection:not(.down)');
}

async function stopGraph(): Promise<void> {
  await consoleUi?.stop();
  await emulator?.stop();
  consoleUi = undefined;
  emulator = undefined;
}

async function view(name: string): Promise<void> {
  await page.click(`nav button[data-view="${name}"]`);
}

async function screenshot(name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) as `${string}.png`, fullPage: false });
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (Debian's package), or set CHROMIUM_PATH`);
  assemblyDir = synthToDir(buildBuggyExampleApp);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'console-chromium-')),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1500, height: 900 });
  await startGraph();
}, 300_000);

afterAll(async () => {
  await stopGraph();
  await browser?.close();
  if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls !== state.numPassingAsserts) process.stderr.write(`${logs.slice(-150).join('\n')}\n`);
});

describe('the console in a browser', () => {
  test('GIVEN the example app running WHEN the console opens THEN its graph draws every function, topic, route and schedule', async () => {
    // WHEN
    await page.waitForSelector('#graph svg');
    // THEN
    const drawn = await page.$$eval('#graph [data-node-kind="function"]', (els) => els.map((e) => e.getAttribute('data-name')));
    expect(drawn.sort()).toEqual(emulator!.functions.map((f) => f.name).sort());
    expect(drawn.length).toBeGreaterThanOrEqual(20);
    const topics = await page.$$eval('#graph [data-node-kind$="topic"]', (els) => els.map((e) => e.getAttribute('data-name')));
    expect(topics).toEqual(expect.arrayContaining(['posts.published', 'posts.published.real-estate.dlt', 'chain.nightly.events', 'payments.results']));
    expect(await page.$$eval('#graph [data-node-kind="route"]', (els) => els.length)).toBe(emulator!.assembly.routes.length);
    expect(await page.$$eval('#graph .edge.mapping', (els) => els.length)).toBe(emulator!.mappings.reduce((n, m) => n + m.topics.length, 0));
    await screenshot('graph');
  });

  test('GIVEN the nightly chain WHEN "Run now" is clicked with a run id THEN the run appears in the grid and every task turns green, and a rerun of task2 runs task2 and task3 again', async () => {
    // GIVEN
    await view('chains');
    const runId = uniqueName('console');
    const chain = '.chain[data-chain="nightly"]';
    // WHEN
    await page.type(`${chain} input[name="runId"]`, runId);
    await page.click(`${chain} [data-act="run"]`);
    // THEN
    const row = `${chain} tr[data-run="${runId}"]`;
    await page.waitForSelector(row, { timeout: 60_000 });
    await page.waitForFunction((sel) => {
      const cells = [...document.querySelectorAll(`${sel} td.cell`)];
      return cells.length === 3 && cells.every((c) => c.getAttribute('data-state') === 'succeeded');
    }, { timeout: 90_000 }, row);
    const colours = await page.$$eval(`${row} td.cell`, (els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(new Set(colours)).toEqual(new Set(['rgb(22, 163, 74)']));
    await page.click(row);
    await page.waitForSelector(`${chain} [data-testid="timeline"] .bar.succeeded`);
    expect(await page.$$eval(`${chain} [data-testid="timeline"] .bar`, (els) => els.length)).toBe(3);
    await screenshot('chains');

    // WHEN task2 is rerun from the run's panel THEN task2 and task3 run again in a new generation, task1 keeps its result
    await page.select(`${chain} select[name="task"]`, 'task2');
    await page.click(`${chain} [data-act="rerun"]`);
    await page.waitForFunction((sel) => /rerun: task2 → task3/.test(document.querySelector(`${sel} [data-testid="chain-message"]`)?.textContent ?? ''), { timeout: 30_000 }, chain);
    const rerun = await waitFor(async () => {
      const run = (await (await fetch(`${consoleUi!.url}/api/chains/nightly/runs/${runId}`)).json()) as { statuses: Array<{ task: string; state: string; generation?: number }> };
      const by = new Map(run.statuses.map((x) => [x.task, x]));
      return by.get('task3')?.state === 'succeeded' && (by.get('task3')?.generation ?? 0) > 0 && run.statuses;
    }, { timeoutMs: 90_000, intervalMs: 500, description: `task3 of ${runId} succeeded again` });
    const generations = new Map(rerun.map((x) => [x.task, x.generation ?? 0]));
    expect(generations.get('task2')).toBe(generations.get('task3'));
    expect(generations.get('task2')).toBeGreaterThan(generations.get('task1') ?? 0);
  }, 180_000);

  test('GIVEN a post the real-estate consumer fails on WHEN published THEN it shows under its dead-letter topic, and after the fix and a redrive from the console it is processed once', async () => {
    // GIVEN / WHEN
    const postId = `${POISON_PREFIX}${uniqueName('post')}`;
    // POST /posts takes IAM authorization: signed with the local dummy credentials.
    const res = await signedPost(`${postsUrl(emulator!)}/posts`, { postId, authorId: 'console-test', title: 'a post the promotion rejects' });
    expect(res.status).toBe(202);
    const { eventId } = (await res.json()) as { eventId: string };
    // THEN it is dead-lettered and listed with its reason
    await view('dead-letters');
    await page.click('#dlq-list [data-key="real-estate"]');
    const deadRow = `[data-testid="dead-letters"] tr[data-state="pending"]`;
    await waitFor(async () => {
      await page.click('[data-act="reload"]').catch(() => undefined);
      return page.evaluate((id) => [...document.querySelectorAll('[data-testid="dead-letters"] tr')].some((tr) => tr.textContent!.includes(id)), eventId);
    }, { timeoutMs: 90_000, intervalMs: 1000, description: `dead letter ${eventId} in the console` });
    const reason = await page.$$eval(deadRow, (rows, id) => rows.find((r: any) => r.textContent!.includes(id as string))?.querySelector('td.error')?.textContent, eventId);
    expect(reason).toContain(`post ${postId} cannot be pinned`);
    await screenshot('dead-letters');

    // WHEN the fix is deployed (the reject prefix gone) and the dead letters are redriven from the console
    await stopGraph();
    const file = path.join(assemblyDir, 'MskPipelines-PostConsumers.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(withoutRejectPrefix(template)).toBe(1);
    fs.writeFileSync(file, JSON.stringify(template));
    await startGraph();
    const realEstate = emulator!.functions.find((f) => f.environment.POWERTOOLS_SERVICE_NAME === 'real-estate')!;
    await view('dead-letters');
    await page.click('#dlq-list [data-key="real-estate"]');
    await page.waitForSelector('[data-act="redrive-all"]');
    await page.click('[data-act="redrive-all"]');
    await page.waitForFunction(() => /\d+ redriven/.test(document.querySelector('[data-testid="dlq-message"]')?.textContent ?? ''), { timeout: 30_000 });

    // THEN the real-estate consumer processes it, once
    await emulator!.waitFor((invs) => invs.find((i) => i.functionName === realEstate.name && i.outcome === 'succeeded' && i.eventIds.includes(eventId)), 60_000);
    await emulator!.waitForIdle({ quietMs: 1500 });
    const processed = emulator!.invocations.filter((i) => i.functionName === realEstate.name && i.eventIds.includes(eventId));
    expect(processed.map((i) => i.outcome)).toEqual(['succeeded']);
    const lines = processed.flatMap((i) => consoleUi!.state.logsOf(i.requestId!));
    expect(lines.filter((l) => l.includes('"outcome":"pinned"') && l.includes(postId))).toHaveLength(1);
    // AND the console lists the dead letter as handled
    // (reading the topic to its end takes seconds on a loaded machine: reload as a user would)
    let message = '';
    await waitFor(async () => {
      message = await page.$eval('[data-testid="dlq-message"]', (el) => el.textContent ?? '').catch(() => message);
      const handled = await page.evaluate((id) => [...document.querySelectorAll('[data-testid="dead-letters"] tr')].some((tr) => tr.textContent!.includes(id as string) && tr.getAttribute('data-state') === 'handled'), eventId);
      if (!handled) await page.click('[data-act="reload"]').catch(() => undefined);
      return handled;
    }, { timeoutMs: 90_000, intervalMs: 3000, description: `dead letter ${eventId} shown as handled` }).catch((e: Error) => {
      throw new Error(`${e.message}; the console's message: "${message}"`, { cause: e });
    });
    await screenshot('dead-letters-redriven');
    await view('functions');
    await page.click(`#function-list [data-key="${realEstate.name}"]`);
    await page.click(`[data-testid="invocations"] tr[data-request="${processed[0].requestId}"]`);
    await page.waitForFunction(() => (document.querySelector('tr.logs pre')?.textContent ?? '').includes('real-estate promotion'));
    await screenshot('functions');
  }, 300_000);

  test('GIVEN a payment order WHEN the provider calls the gateway back THEN the HTTP view shows the callback verified, without headers or bodies', async () => {
    // GIVEN / WHEN
    await runPaymentScenario(emulator!, { timeoutMs: 90_000 });
    await view('http');
    // THEN
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="exchanges"] tr')].some((tr) => /callbacks/.test(tr.textContent!) && /verified, published/.test(tr.textContent!)), { timeout: 30_000 });
    const text = await page.$eval('[data-testid="exchanges"]', (t) => t.textContent!);
    expect(text).not.toMatch(/Wechatpay-Signature|BEGIN PUBLIC KEY|ciphertext/i);
    await screenshot('http');
  }, 180_000);
});
