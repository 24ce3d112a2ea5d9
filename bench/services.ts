/**
 * Local services benchmark: cold start of Kafka (format + start until metadata answers) and of
 * DynamoDB Local (start until ListTables answers), the Kafka crash-restart time, and the
 * resident memory of each JVM at rest. The Maven fetch is excluded (done before timing).
 * Writes bench/results/services.json.
 *
 *   npx tsx bench/services.ts [runs]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureArtifacts, startDynamoDb, startKafka } from '../lib/local/services';

const RUNS = Number(process.argv[2] ?? 3);
const REST_MS = 5_000;

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

function summary(values: number[]): { median: number; min: number; max: number; runs: number[] } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1], runs: values };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const artifacts = await ensureArtifacts();
  const kafkaStart: number[] = [];
  const kafkaRestart: number[] = [];
  const kafkaRss: number[] = [];
  const dynamoStart: number[] = [];
  const dynamoRss: number[] = [];
  // One service at a time, so the two JVMs do not compete for the CPU while being timed.
  for (let i = 0; i < RUNS; i++) {
    let t = Date.now();
    const kafka = await startKafka({ libDir: artifacts.kafka!.libDir });
    kafkaStart.push(Date.now() - t);
    await sleep(REST_MS);
    kafkaRss.push(rssMiB(kafka.pid!));
    t = Date.now();
    await kafka.restart();
    kafkaRestart.push(Date.now() - t);
    await kafka.stop();

    t = Date.now();
    const dynamodb = await startDynamoDb({ libDir: artifacts.dynamodb!.libDir });
    dynamoStart.push(Date.now() - t);
    await sleep(REST_MS);
    dynamoRss.push(rssMiB(dynamodb.pid!));
    await dynamodb.stop();
    process.stderr.write(`run ${i + 1}/${RUNS}: kafka ${kafkaStart[i]} ms (restart ${kafkaRestart[i]} ms, ${kafkaRss[i]} MiB), ` +
      `dynamodb ${dynamoStart[i]} ms (${dynamoRss[i]} MiB)\n`);
  }
  const result = {
    benchmark: 'services',
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadavg1m: os.loadavg()[0], node: process.version },
    versions: { kafka: artifacts.kafka!.version, dynamodbLocal: artifacts.dynamodb!.version },
    method: 'each service started alone; cold start = spawn (incl. Kafka storage format) until Kafka describeCluster lists the broker / DynamoDB ListTables answers; ' +
      `RSS = VmRSS from /proc/<pid>/status after ${REST_MS / 1000} s at rest; restart = SIGKILL then start on the same ports and data until ready`,
    kafkaColdStartMs: summary(kafkaStart),
    kafkaCrashRestartMs: summary(kafkaRestart),
    kafkaRssMiB: summary(kafkaRss),
    dynamodbColdStartMs: summary(dynamoStart),
    dynamodbRssMiB: summary(dynamoRss),
    stackRssAtRestMiB: Math.round((summary(kafkaRss).median + summary(dynamoRss).median) * 10) / 10,
  };
  const out = path.join(__dirname, 'results', 'services.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
