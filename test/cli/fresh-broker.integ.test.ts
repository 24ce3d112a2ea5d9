import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { LocalServices } from '../../lib/local/services';
import { runCli } from '../support/cli';
import { waitFor } from '../support/services';

/**
 * The first `chain run` against a broker that has never seen a producer: its idempotent
 * producer's InitProducerId meets "The coordinator is loading…", which kafkajs retries. A
 * broker of its own, started here, makes that first time happen on every run of this test.
 */
describe('chain run against a fresh broker', () => {
  let services: LocalServices;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-broker-'));

  beforeAll(async () => {
    services = await LocalServices.start({ dynamodb: false, env: {}, handleSignals: false, log: () => undefined });
    fs.writeFileSync(path.join(dir, 'chains.js'), "exports.FRESH = { name: 'fresh', tasks: [{ name: 'a', entry: 'a.ts' }] };");
  }, 180_000);
  afterAll(async () => {
    await services?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a fresh broker WHEN `chain run` is the first producer THEN the run is requested and nothing but the result is printed', async () => {
    // GIVEN
    const kafka = new Kafka({ brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'chain.fresh.events', numPartitions: 1 }], waitForLeaders: true });
    // WHEN
    const run = await runCli(['chain', 'run', 'fresh', '--declaration', path.join(dir, 'chains.js'), '--table', 'unused', '--brokers', services.kafkaBrokers, '--run-id', 'r-1']);
    // THEN
    expect(run).toEqual({ code: 0, stdout: 'requested run r-1 of chain fresh on chain.fresh.events\n', stderr: '' });
    const offsets = await waitFor(async () => {
      const [p] = await admin.fetchTopicOffsets('chain.fresh.events');
      return Number(p.high) === 1 && p;
    }, { description: 'the run.requested record' });
    expect(offsets.high).toBe('1');
    await admin.disconnect();
  });
});
