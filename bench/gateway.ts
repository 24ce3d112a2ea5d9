#!/usr/bin/env -S npx tsx
/**
 * Callback gateway throughput on loopback in local mode: requests/s and latency percentiles of
 * `POST /callbacks/wechat-pay` (verify RSA signature + decrypt AES-GCM + dedupe in DynamoDB +
 * publish to Kafka) next to, measured in the same run through the same emulator HTTP server and
 * worker model: the floor (bench/functions/publish-and-put.ts: one conditional put and the
 * publish, the least a gateway that publishes each notification once does) and a bare handler
 * that only publishes.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 DYNAMODB_ENDPOINT=http://127.0.0.1:18000 npx tsx bench/gateway.ts
 *   env: BENCH_REQUESTS (per handler, default 600), BENCH_CONCURRENCY (default 8), BENCH_WARMUP (default 40)
 * Writes bench/results/gateway.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes, randomUUID } from 'node:crypto';
import { App, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { KafkaCluster } from '../lib/cluster';
import { createFunction, PROJECT_ROOT } from '../lib/function/project-function';
import { Emulator } from '../lib/local/emulator';
import { apiUrlFor } from '../lib/local/scenarios/payment';
import { CallbackGatewayStack } from '../lib/examples/payment-stack';
import {
  AlipayVerifier, buildWechatPayNotification, HmacVerifier, StandardWebhooksVerifier, WechatPayVerifier, type SignedNotification, type Verifier,
} from '../lambdas/runtime/gateway/verifiers';
import { alipayNotification, rsaKeys, standardWebhookHeaders, standardWebhookSecret, stripeSignature } from '../test/support/provider-senders';
import { DynamoDedupeStore } from '../lambdas/runtime/gateway/dedupe';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateKeyPairSync } from 'node:crypto';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 40);
/** Requests per handler per turn (see `interleaved`). */
const ROUND = 50;

interface Request { headers: Record<string, string>; body: string }
interface Result { handler: string; requests: number; concurrency: number; seconds: number; requestsPerSecond: number; latencyMs: { p50: number; p90: number; p99: number; max: number }; statuses: Record<string, number> }

/** Latencies and elapsed time of one handler's requests, gathered over the rounds. */
interface Tally { latencies: number[]; seconds: number; statuses: Record<string, number> }

/** Sends `requests` to `url` from CONCURRENCY clients, adding to `tally`. */
async function drive(url: string, requests: Request[], tally: Tally = { latencies: [], seconds: 0, statuses: {} }): Promise<Tally> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (;;) {
      const i = next++;
      if (i >= requests.length) return;
      const t0 = process.hrtime.bigint();
      const res = await fetch(url, { method: 'POST', headers: requests[i].headers, body: requests[i].body });
      await res.arrayBuffer();
      tally.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
    }
  }));
  tally.seconds += Number(process.hrtime.bigint() - start) / 1e9;
  return tally;
}

function result(name: string, tally: Tally): Result {
  const latencies = [...tally.latencies].sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] * 100) / 100;
  return {
    handler: name, requests: latencies.length, concurrency: CONCURRENCY, seconds: Math.round(tally.seconds * 1000) / 1000,
    requestsPerSecond: Math.round((latencies.length / tally.seconds) * 10) / 10,
    latencyMs: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1) }, statuses: tally.statuses,
  };
}

/**
 * The handlers take turns, ROUND requests each, until each has had `requests`: the shared
 * machine's load drifts over all of them alike, where back-to-back runs would each meet another
 * load. Every request is built (and signed) before the clock starts.
 */
async function interleaved(handlers: Array<{ name: string; url: string; requests: Request[] }>): Promise<Result[]> {
  const tallies = handlers.map((): Tally => ({ latencies: [], seconds: 0, statuses: {} }));
  for (let offset = 0; offset < Math.max(...handlers.map((h) => h.requests.length)); offset += ROUND) {
    for (const [i, h] of handlers.entries()) await drive(h.url, h.requests.slice(offset, offset + ROUND), tallies[i]);
  }
  return handlers.map((h, i) => result(h.name, tallies[i]));
}

async function main(): Promise<void> {
  const services = { kafkaBrokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092', dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000' };
  const id = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-bench-'));
  const app = new App({ outdir });
  const cluster = new KafkaCluster(new Stack(app, `${id}Foundation`), 'Cluster');
  const gw = new CallbackGatewayStack(app, `${id}Gateway`, { cluster, resultsTopicName: `${id}.results` });
  const bare = new Stack(app, `${id}Bare`);
  // The floors reach the brokers as the gateway does: from the cluster's subnets through its
  // client security group, granted produce on the results topic (local mode enforces both).
  const resultsTopic = gw.gateway.resultsTopic;
  const clusterNetwork = { vpc: cluster.vpc, vpcSubnets: cluster.vpcSubnets, securityGroups: [cluster.clientSecurityGroup] };
  const fn = createFunction(bare, 'PublishOnly', {
    entry: path.join(PROJECT_ROOT, 'bench', 'functions', 'publish-only.ts'),
    ...clusterNetwork,
    environment: { ...cluster.connectionEnvironment(), RESULTS_TOPIC: resultsTopic.topicName },
  });
  resultsTopic.grantProduce(fn);
  // The floor of the goal: the publish plus one conditional put, on a table like the gateway's.
  const floorTable = new dynamodb.Table(bare, 'FloorDedupe', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, billingMode: dynamodb.BillingMode.PAY_PER_REQUEST, timeToLiveAttribute: 'expiration',
  });
  const floorFn = createFunction(bare, 'PublishAndPut', {
    entry: path.join(PROJECT_ROOT, 'bench', 'functions', 'publish-and-put.ts'),
    ...clusterNetwork,
    environment: { ...cluster.connectionEnvironment(), RESULTS_TOPIC: resultsTopic.topicName, DEDUPE_TABLE: floorTable.tableName },
  });
  const markedFn = createFunction(bare, 'PublishPutAndMark', {
    entry: path.join(PROJECT_ROOT, 'bench', 'functions', 'publish-and-put.ts'),
    ...clusterNetwork,
    environment: { ...cluster.connectionEnvironment(), RESULTS_TOPIC: resultsTopic.topicName, DEDUPE_TABLE: floorTable.tableName, MARK_PUBLISHED: 'true' },
  });
  for (const f of [floorFn, markedFn]) {
    floorTable.grantWriteData(f);
    resultsTopic.grantProduce(f);
  }
  const api = new apigwv2.HttpApi(bare, 'Api');
  api.addRoutes({ path: '/bare/{provider}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Bare', fn) });
  api.addRoutes({ path: '/floor/{provider}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Floor', floorFn) });
  api.addRoutes({ path: '/marked/{provider}', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Marked', markedFn) });
  app.synth();

  // Functions' own lines stay quiet; the emulator's warnings (a denied call, a refused
  // connection) are printed, or a misbuilt floor would look like a hang.
  const emulator = await Emulator.start({ assemblyDir: outdir, services, onLog: (line) => { if (/\b(WARN|ERROR)\b/.test(line)) console.error(line); } });
  try {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const serial = randomBytes(20).toString('hex').toUpperCase();
    const apiV3Key = randomBytes(16).toString('hex');
    for (const s of emulator.secrets.list().filter((x) => /WechatPaySecret/.test(x.name))) {
      emulator.secrets.put(s.arn, { platformCertificates: { [serial]: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, apiV3Key });
    }
    const notifications = (n: number): SignedNotification[] => Array.from({ length: n }, (_, i) => buildWechatPayNotification({
      transaction: { out_trade_no: `ORD-${id}-${i}`, transaction_id: randomUUID(), trade_state: 'SUCCESS', amount: { total: 100 } },
      privateKey, serial, apiV3Key,
    }));
    const gatewayUrl = `${apiUrlFor(emulator, 'POST /callbacks/{provider}')}/callbacks/wechat-pay`;
    const bareUrl = `${apiUrlFor(emulator, 'POST /bare/{provider}')}/bare/wechat-pay`;
    const floorUrl = `${apiUrlFor(emulator, 'POST /floor/{provider}')}/floor/wechat-pay`;
    const markedUrl = `${apiUrlFor(emulator, 'POST /marked/{provider}')}/marked/wechat-pay`;
    const bareRequests = (n: number): Request[] => Array.from({ length: n }, (_, i) => ({
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: randomUUID(), correlationId: `ORD-${id}-bare-${i}` }),
    }));

    // Warm both: containers up to the concurrency, producers connected, secrets cached.
    for (const [url, requests] of [[gatewayUrl, notifications(WARMUP)], [bareUrl, bareRequests(WARMUP)], [floorUrl, bareRequests(WARMUP)], [markedUrl, bareRequests(WARMUP)]] as const) {
      await drive(url, requests);
    }
    // Signed before the clock starts; the 300 s tolerance covers the run.
    const [gatewayRun, bareRun, floorRun, markedRun] = await interleaved([
      { name: 'gateway (verify + decrypt + dedupe + publish)', url: gatewayUrl, requests: notifications(REQUESTS) },
      { name: 'bare handler (publish only)', url: bareUrl, requests: bareRequests(REQUESTS) },
      { name: 'floor (publish + one conditional put)', url: floorUrl, requests: bareRequests(REQUESTS) },
      { name: 'floor + mark published (publish + conditional put + update)', url: markedUrl, requests: bareRequests(REQUESTS) },
    ]);

    // Where the difference goes: the verifier in-process, and the dedupe writes on DynamoDB Local.
    const verifier = new WechatPayVerifier({ platformCertificates: { [serial]: publicKey.export({ type: 'spki', format: 'pem' }).toString() }, apiV3Key });
    const sample = notifications(300);
    let t0 = process.hrtime.bigint();
    for (const n of sample) await verifier.verify({ headers: n.headers, body: n.body, now: new Date() });
    const verifyMicros = Number(process.hrtime.bigint() - t0) / 1e3 / sample.length;
    const table = emulator.tables.find((t) => t.ttlAttribute === 'expiration' && t.keySchema[0].AttributeName === 'id')!.name;
    const store = new DynamoDedupeStore(DynamoDBDocumentClient.from(new DynamoDBClient({
      endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })), { tableName: table });
    t0 = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) {
      const key = `bench:${id}:${i}`;
      await store.claim(key, new Date());
      await store.markPublished(key, new Date());
    }
    const dedupeMillis = Number(process.hrtime.bigint() - t0) / 1e6 / 100;
    const perProvider = await verifyCostPerProvider();
    const result = {
      benchmark: 'callback gateway on loopback, local mode (emulator HTTP API → worker-thread function → Kafka)',
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      requestsPerHandler: REQUESTS, concurrency: CONCURRENCY, warmup: WARMUP,
      results: [gatewayRun, bareRun, floorRun, markedRun],
      breakdown: {
        verifyAndDecryptMicrosPerNotification: Math.round(verifyMicros),
        dedupeClaimAndMarkMillisSequential: Math.round(dedupeMillis * 100) / 100,
        verifyMicrosPerProvider: perProvider,
        note: 'in-process, sequential; the machine is shared, so figures are indicative',
      },
      gatewayOverFloor: {
        throughputRatio: Math.round((gatewayRun.requestsPerSecond / floorRun.requestsPerSecond) * 100) / 100,
        p50Ratio: Math.round((gatewayRun.latencyMs.p50 / floorRun.latencyMs.p50) * 100) / 100,
        goals: { throughputAtLeast070: gatewayRun.requestsPerSecond >= 0.7 * floorRun.requestsPerSecond, p50AtMost150: gatewayRun.latencyMs.p50 <= 1.5 * floorRun.latencyMs.p50 },
      },
      gatewayOverMarkedFloor: {
        throughputRatio: Math.round((gatewayRun.requestsPerSecond / markedRun.requestsPerSecond) * 100) / 100,
        p50Ratio: Math.round((gatewayRun.latencyMs.p50 / markedRun.latencyMs.p50) * 100) / 100,
      },
      gatewayOverBare: {
        throughputRatio: Math.round((gatewayRun.requestsPerSecond / bareRun.requestsPerSecond) * 100) / 100,
        p99DeltaMs: Math.round((gatewayRun.latencyMs.p99 - bareRun.latencyMs.p99) * 100) / 100,
      },
    };
    const file = path.join(__dirname, 'results', 'gateway.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await emulator.stop();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** In-process verify cost of the other providers, on callbacks signed by their own SDKs (median of 5 rounds of 200). */
async function verifyCostPerProvider(): Promise<Record<string, number>> {
  const now = new Date();
  const stripeSecret = 'whsec_bench';
  const svixSecret = standardWebhookSecret();
  const alipay = rsaKeys();
  const cases: Record<string, { verifier: Verifier; request: (i: number) => { headers: Record<string, string>; body: string } }> = {
    stripe: {
      verifier: new HmacVerifier({ header: 'Stripe-Signature', signingSecrets: [stripeSecret] }),
      request: (i) => {
        const body = JSON.stringify({ id: `evt_${i}`, type: 'payment_intent.succeeded', data: { object: { metadata: { correlation_id: `ORD-${i}` } } } });
        return { headers: { 'stripe-signature': stripeSignature(body, stripeSecret, now) }, body };
      },
    },
    standardWebhooks: {
      verifier: new StandardWebhooksVerifier({ signingSecrets: [svixSecret] }),
      request: (i) => {
        const body = JSON.stringify({ type: 'invoice.paid', data: { correlation_id: `ORD-${i}` } });
        return { headers: standardWebhookHeaders(`msg_${i}`, body, svixSecret, now), body };
      },
    },
    alipay: {
      verifier: new AlipayVerifier({ alipayPublicKeys: [alipay.publicKeyBase64] }),
      request: (i) => alipayNotification({ notify_id: `n${i}`, out_trade_no: `ORD-${i}`, trade_status: 'TRADE_SUCCESS', total_amount: '1.00', app_id: '2021000000000001' }, alipay.privateKey),
    },
  };
  const out: Record<string, number> = {};
  for (const [name, c] of Object.entries(cases)) {
    const requests = Array.from({ length: 200 }, (_, i) => c.request(i));
    const rounds: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      for (const req of requests) await c.verifier.verify({ ...req, now });
      rounds.push(Number(process.hrtime.bigint() - t0) / 1e3 / requests.length);
    }
    out[name] = Math.round(rounds.sort((a, b) => a - b)[2]);
  }
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
