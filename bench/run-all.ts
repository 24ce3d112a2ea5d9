/**
 * `npm run bench`: runs every benchmark of the project, each as its own child process, and
 * gathers their results into bench/results/latest.json (each figure next to its same-run
 * baseline, with the machine's facts) and a table in bench/README.md.
 *
 * One Kafka broker and one DynamoDB Local are started here and handed to the children through
 * KAFKA_BROKERS / DYNAMODB_ENDPOINT (so no benchmark pays for, or competes with, a second pair);
 * bench/services.ts measures service start-up itself and gets none.
 *
 *   npm run bench                        # all
 *   npm run bench -- esm-latency chain   # some (the others' previous results are still gathered)
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalServices } from '../lib/local/services';
import { gatherLatest, type LatestEntry } from './support/latest';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const README = path.join(ROOT, 'bench', 'README.md');

/** The benchmarks, in the order they run; `ownServices` ones get no shared services. */
const BENCHMARKS: Array<{ name: string; file: string; args?: string[]; ownServices?: boolean }> = [
  { name: 'services', file: 'bench/services.ts', args: ['3'], ownServices: true },
  { name: 'esm-latency', file: 'bench/esm-latency.ts' },
  { name: 'chain', file: 'bench/chain.ts' },
  { name: 'fanout', file: 'bench/fanout.ts' },
  { name: 'gateway', file: 'bench/gateway.ts' },
  { name: 'redrive', file: 'bench/redrive.ts' },
  { name: 'checks', file: 'bench/checks.ts' },
  { name: 'aws-front', file: 'bench/aws-front.ts' },
  { name: 'requests-per-event', file: 'bench/requests-per-event.ts' },
  { name: 'cold-start', file: 'bench/cold-start.ts', args: ['10'], ownServices: true },
];

/** One headline figure and the baseline measured in the same run. */
interface Figure {
  benchmark: string;
  figure: string;
  value: number | null;
  unit: string;
  baseline?: string;
  baselineValue?: number | null;
  /** value / baselineValue. */
  ratio?: number | null;
}

type Json = any;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ratio = (a: number | null, b: number | null | undefined) => (a !== null && b ? Number((a / b).toPrecision(3)) : null);
const fig = (benchmark: string, figure: string, value: unknown, unit: string, baseline?: string, baselineValue?: unknown): Figure => {
  const v = num(value);
  const b = baseline === undefined ? undefined : num(baselineValue);
  return { benchmark, figure, value: v, unit, ...(baseline === undefined ? {} : { baseline, baselineValue: b, ratio: ratio(v, b) }) };
};

/** Headline figures per benchmark, read from its result file (whatever is missing shows as null). */
const FIGURES: Record<string, (r: Json) => Figure[]> = {
  services: (r) => [
    fig('services', 'Kafka cold start (median)', r.kafkaColdStartMs?.median, 'ms'),
    fig('services', 'Kafka crash restart (median)', r.kafkaCrashRestartMs?.median, 'ms', 'Kafka cold start', r.kafkaColdStartMs?.median),
    fig('services', 'DynamoDB Local cold start (median)', r.dynamodbColdStartMs?.median, 'ms'),
    fig('services', 'local stack RSS at rest', r.stackRssAtRestMiB, 'MiB'),
  ],
  'esm-latency': (r) => [
    fig('esm-latency', 'produce → handler start p50 (emulated ESM)', r.emulatedMs?.p50, 'ms', 'bare kafkajs produce → consume p50', r.bareKafkajsMs?.p50),
    fig('esm-latency', 'produce → handler start p50 (emulated ESM)', r.emulatedMs?.p50, 'ms', 'bare kafkajs on the IAM listener as the function, p50', r.bareKafkajsIamMs?.p50),
    fig('esm-latency', 'produce → handler start p99 (emulated ESM)', r.emulatedMs?.p99, 'ms', 'bare kafkajs produce → consume p99', r.bareKafkajsMs?.p99),
    fig('esm-latency', 'p50 ratio to bare kafkajs, plaintext (median of the rounds\' ratios)', r.p50Ratio, '×'),
    fig('esm-latency', 'p50 ratio to bare kafkajs on the IAM listener (median of the rounds\' ratios)', r.p50RatioSameTransport, '×'),
    fig('esm-latency', 'emulator start', r.emulatorStartMs, 'ms'),
  ],
  chain: (r) => [
    fig('chain', 'hop task.succeeded → next task start p50', r.hop?.chainMs?.p50, 'ms', 'bare kafkajs p50', r.hop?.bareKafkajsMs?.p50),
    fig('chain', 'hop p99', r.hop?.chainMs?.p99, 'ms', 'bare kafkajs p99', r.hop?.bareKafkajsMs?.p99),
    fig('chain', 'hop p50', r.hop?.chainMs?.p50, 'ms', 'floor: bare kafkajs p50 + bare claim PutItem p50', r.hop?.floorP50Ms),
    fig('chain', '10-task chain makespan (median warm)', r.makespan?.median?.makespanMs, 'ms', 'ideal (critical path of sleeps)', r.makespan?.idealMs),
    fig('chain', 'synth of a 100-task chain', r.synth100?.synthMs, 'ms'),
  ],
  fanout: (r) =>
    (Array.isArray(r.profiles) ? r.profiles : []).flatMap((p: Json) => [
      fig('fanout', `${p.latencyProfile}: three consumers, events/s`, p.threeConsumers?.eventsPerSecond, 'events/s', r.floor?.writes === 'effects' ? "floor: three bare groups, each consumer's effect write per event" : 'floor: three bare groups, one conditional write per event', r.floor?.eventsPerSecond),
      ...(r.floorSameConcurrency && r.floorSameConcurrency.recordsPerPartitionConcurrently !== r.floor?.recordsPerPartitionConcurrently ? [fig('fanout', `${p.latencyProfile}: three consumers, events/s`, p.threeConsumers?.eventsPerSecond, 'events/s', `floor at the consumers' concurrency (${r.floorSameConcurrency.recordsPerPartitionConcurrently} records per partition)`, r.floorSameConcurrency.eventsPerSecond)] : []),
      ...(r.floorOnePut ? [fig('fanout', `${p.latencyProfile}: three consumers, events/s`, p.threeConsumers?.eventsPerSecond, 'events/s', 'floor: three bare groups, one conditional PutItem per event', r.floorOnePut.eventsPerSecond)] : []),
      fig('fanout', `${p.latencyProfile}: three consumers, events/s`, p.threeConsumers?.eventsPerSecond, 'events/s', 'bare kafkajs group events/s', p.bareKafkajsGroup?.eventsPerSecond),
      fig('fanout', `${p.latencyProfile}: paced latency p50 (recruitment)`, p.pacedLatency?.recruitmentMs?.p50, 'ms', 'bare kafkajs p50', p.pacedLatency?.bareKafkajsMs?.p50),
    ]),
  gateway: (r) => {
    const [gateway, bare, floor, marked] = Array.isArray(r.results) ? r.results : [];
    return [
      fig('gateway', 'callbacks/s', gateway?.requestsPerSecond, 'req/s', 'floor + mark published (two writes + publish) req/s', marked?.requestsPerSecond),
      fig('gateway', 'callback latency p50', gateway?.latencyMs?.p50, 'ms', 'floor + mark published p50', marked?.latencyMs?.p50),
      fig('gateway', 'callbacks/s (verify + decrypt + dedupe + publish)', gateway?.requestsPerSecond, 'req/s', 'floor (publish + one conditional put) req/s', floor?.requestsPerSecond),
      fig('gateway', 'callback latency p50', gateway?.latencyMs?.p50, 'ms', 'floor p50', floor?.latencyMs?.p50),
      fig('gateway', 'callbacks/s (verify + decrypt + dedupe + publish)', gateway?.requestsPerSecond, 'req/s', 'bare handler (publish only) req/s', bare?.requestsPerSecond),
      fig('gateway', 'callback latency p50', gateway?.latencyMs?.p50, 'ms', 'bare handler p50', bare?.latencyMs?.p50),
      fig('gateway', 'callback latency p99', gateway?.latencyMs?.p99, 'ms', 'bare handler p99', bare?.latencyMs?.p99),
    ];
  },
  redrive: (r) => [
    fig('redrive', 'dead letters redriven/s (transactions of 50)', r.redrivePerSecond, 'records/s', 'plain idempotent sends/s', r.plainSendPerSecond),
  ],
  'requests-per-event': (r) =>
    Object.entries((r.consumers ?? {}) as Record<string, Json>).flatMap(([name, c]) => [
      fig('requests-per-event', `${name}: DynamoDB requests per event`, c.firstDelivery?.requestsPerEvent, 'requests', `before (${String(r.before?.commit ?? '?').split(' ')[0]})`, r.before?.consumers?.[name]?.firstDelivery?.requestsPerEvent),
      fig('requests-per-event', `${name}: WCU per event (AWS rule; DynamoDB Local reported ${c.firstDelivery?.writeCapacityUnitsPerEvent})`, c.firstDelivery?.awsRuleWriteCapacityUnitsPerEvent, 'WCU'),
    ]),
  'cold-start': (r) => [
    fig('cold-start', 'largest function bundle (minified)', r.summary?.maxKb, 'KB', `same functions at ${String(r.base?.commit ?? '?').slice(0, 7)}`, r.summary?.maxBaseKb),
    fig('cold-start', 'function bundle load, median over functions', r.summary?.medianLoadMs, 'ms', `same functions at ${String(r.base?.commit ?? '?').slice(0, 7)}`, r.summary?.medianBaseLoadMs),
    fig('cold-start', 'function bundle load, median over functions', r.summary?.medianLoadMs, 'ms', 'floor: kafkajs-only bundle', r.floor?.loadMs),
    fig('cold-start', 'worst function: load / its load at the base commit', r.summary?.worstLoadVsBase, '×'),
    fig('cold-start', '--enable-source-maps cost at load (median over functions)', r.summary?.medianSourceMapsCostMs, 'ms'),
  ],
  'aws-front': (r) => [
    fig('aws-front', 'PutItem through the IAM front, evaluated (p50)', r.putItemMs?.frontEvaluated?.p50, 'ms', 'PutItem straight to DynamoDB Local (p50)', r.putItemMs?.direct?.p50),
  ],
  checks: (r) => [
    fig('checks', '`check` over the example app (p50)', r.checkMs?.p50, 'ms'),
    fig('checks', 'MskPipelinesChecks over the example app (p50)', r.nagPackMs?.mskPipelines?.p50, 'ms', 'cdk-nag AwsSolutions pack, same tree (p50)', r.nagPackMs?.awsSolutions?.p50),
    fig('checks', 'alarm evaluator: EMF line read', r.alarms?.readEmfLineUs, 'µs', 'JSON.parse of the same line', r.alarms?.jsonParseEmfLineUs),
    fig('checks', 'alarm evaluator: plain log line read', r.alarms?.readEmfPlainLineUs, 'µs'),
  ],
};

/** First line a command prints (`java -version` prints to stderr). */
function firstLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0].trim() || undefined;
}

function machine(): Record<string, unknown> {
  return {
    cpuModel: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    java: firstLine('java', ['-version']),
    git: firstLine('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file, ...args], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    const stop = () => child.kill('SIGINT');
    process.once('SIGINT', stop);
    child.on('exit', (code) => {
      process.off('SIGINT', stop);
      resolve({ code, ms: Date.now() - t0 });
    });
  });
}

function table(figures: Figure[]): string {
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(Math.round(v * 100) / 100));
  const rows = figures.map((f) => `| ${f.benchmark} | ${f.figure} | ${fmt(f.value)} ${f.unit} | ${f.baseline ? `${f.baseline}: ${fmt(f.baselineValue)}` : ''} | ${f.ratio === undefined ? '' : `${fmt(f.ratio)}×`} |`);
  return ['| benchmark | figure | value | same-run baseline | ratio |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

const BEGIN = '<!-- bench:latest:begin -->';
const END = '<!-- bench:latest:end -->';

function writeReadmeTable(figures: Figure[], facts: Record<string, unknown>, date: string): void {
  const block = [
    BEGIN,
    `Last \`npm run bench\`: ${date} · ${facts.cpuModel} × ${facts.cores} cores, ${facts.memoryGiB} GiB · Node.js ${facts.node} · ${facts.java ?? 'java ?'} · load average at start ${(facts.loadAverage as number[]).join(' / ')}`,
    '',
    table(figures),
    END,
  ].join('\n');
  const text = fs.existsSync(README) ? fs.readFileSync(README, 'utf8') : '# Benchmarks\n';
  const next = text.includes(BEGIN) && text.includes(END)
    ? text.slice(0, text.indexOf(BEGIN)) + block + text.slice(text.indexOf(END) + END.length)
    : `${text.trimEnd()}\n\n## Latest results\n\n${block}\n`;
  fs.writeFileSync(README, next);
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = BENCHMARKS.filter((b) => only.length === 0 || only.includes(b.name));
  const date = new Date().toISOString();
  const facts = machine();
  process.stderr.write(`[bench] ${selected.map((b) => b.name).join(', ')} on ${facts.cpuModel} × ${facts.cores}, load ${(facts.loadAverage as number[]).join(' ')}\n`);

  const needShared = selected.some((b) => !b.ownServices);
  // Own services, whatever KAFKA_BROKERS says: the figures must not depend on someone else's broker.
  const services = needShared ? await LocalServices.start({ env: {} }) : undefined;
  const runs: Record<string, { exitCode: number | null; durationMs: number }> = {};
  try {
    for (const b of selected) {
      const env = { ...process.env };
      delete env.KAFKA_BROKERS;
      delete env.DYNAMODB_ENDPOINT;
      if (!b.ownServices && services) Object.assign(env, services.env);
      process.stderr.write(`\n[bench] ── ${b.name} (${b.file}) ──\n`);
      const r = await run(b.file, b.args ?? [], env);
      runs[b.name] = { exitCode: r.code, durationMs: r.ms };
      process.stderr.write(`[bench] ${b.name}: exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s\n`);
    }
  } finally {
    await services?.stop();
  }

  const latestFile = path.join(RESULTS, 'latest.json');
  const previous = fs.existsSync(latestFile) ? (JSON.parse(fs.readFileSync(latestFile, 'utf8')) as { benchmarks?: Record<string, LatestEntry> }).benchmarks : undefined;
  const results = gatherLatest({
    names: BENCHMARKS.map((b) => b.name),
    runs,
    date,
    previous,
    readResult: (name) => {
      const file = path.join(RESULTS, `${name}.json`);
      return fs.existsSync(file) ? { file: path.relative(ROOT, file), result: JSON.parse(fs.readFileSync(file, 'utf8')) } : undefined;
    },
  });
  const figures = Object.entries(results).flatMap(([name, entry]) => FIGURES[name]?.(entry.result) ?? []);
  const latest = { date, machine: { ...facts, loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100) }, figures, benchmarks: results };
  fs.writeFileSync(latestFile, `${JSON.stringify(latest, null, 2)}\n`);
  writeReadmeTable(figures, facts, date);
  process.stdout.write(`${table(figures)}\n\n[bench] wrote bench/results/latest.json and bench/README.md\n`);
  const failed = Object.entries(runs).filter(([, r]) => r.exitCode !== 0);
  if (failed.length > 0) {
    process.stderr.write(`[bench] failed: ${failed.map(([n, r]) => `${n} (exit ${r.exitCode})`).join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
