import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import {
  dataRoots, DUMMY_CREDENTIALS, LOCAL_REGION, LocalServices, LocalServicesError, REPO_ROOT, ensureArtifacts, isAlive, reapOrphans,
} from '../../lib/local/services';
import { uniqueName, waitFor } from '../support/services';

/**
 * These tests start their OWN Kafka and DynamoDB Local (never the run's shared ones) to prove
 * start, readiness, crash-restart and stop, and that nothing is left running.
 */
jest.setTimeout(240_000);

function kafkaFor(brokers: string): Kafka {
  return new Kafka({ clientId: 'services-test', brokers: [brokers], logLevel: logLevel.NOTHING });
}

function dynamoFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: DUMMY_CREDENTIALS });
}

function jvmsNaming(dir: string): number[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false;
    }
  });
}

describe('LocalServices started here', () => {
  let services: LocalServices;
  let dataDirs: string[];

  beforeAll(async () => {
    // GIVEN no KAFKA_BROKERS / DYNAMODB_ENDPOINT
    services = await LocalServices.start({ env: {}, handleSignals: false, log: () => undefined });
    dataDirs = [services.kafka!.dataDir, services.dynamodb!.dataDir];
  });

  afterAll(async () => {
    await services?.stop();
  });

  test('both services answer on loopback ports once start() resolves', async () => {
    // THEN the broker lists itself and DynamoDB Local answers ListTables
    expect(services.kafkaBrokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(services.dynamodbEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(isAlive(services.pids.kafka!)).toBe(true);
    expect(isAlive(services.pids.dynamodb!)).toBe(true);
    const admin = kafkaFor(services.kafkaBrokers).admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers).toHaveLength(1);
    const tables = await dynamoFor(services.dynamodbEndpoint).send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual([]);
  });

  test('a Kafka crash and restart keeps ports, topics, records and committed offsets', async () => {
    // GIVEN a topic with 5 records and a consumer group that committed offset 3
    const topic = uniqueName('restart');
    const groupId = uniqueName('group');
    const kafka = kafkaFor(services.kafkaBrokers);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ value: `m${i}`, partition: 0 })) });
    await producer.disconnect();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] });
    await admin.disconnect();
    const before = { brokers: services.kafkaBrokers, pid: services.pids.kafka! };

    // WHEN the broker is SIGKILLed, then restarted
    await services.killKafka();
    expect(isAlive(before.pid)).toBe(false);
    expect(services.pids.kafka).toBeUndefined();
    await services.restartKafka();

    // THEN it is a new process on the same address, and topic, records and offsets are there
    expect(services.kafkaBrokers).toBe(before.brokers);
    expect(services.pids.kafka).toBeDefined();
    expect(services.pids.kafka).not.toBe(before.pid);
    const after = kafka.admin();
    await after.connect();
    try {
      expect(await after.listTopics()).toContain(topic);
      const meta = await after.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0].partitions).toHaveLength(2);
      const highWatermarks = await after.fetchTopicOffsets(topic);
      expect(highWatermarks.find((p) => p.partition === 0)?.high).toBe('5');
      const committed = await after.fetchOffsets({ groupId, topics: [topic] });
      expect(committed[0].partitions.find((p) => p.partition === 0)?.offset).toBe('3');
    } finally {
      await after.disconnect();
    }
  });

  test('a DynamoDB Local crash and restart keeps tables and items', async () => {
    // GIVEN a table with one item
    const table = uniqueName('restart');
    const client = dynamoFor(services.dynamodbEndpoint);
    await client.send(new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'a' }, n: { N: '1' } } }));
    const pid = services.pids.dynamodb!;

    // WHEN DynamoDB Local is SIGKILLed and restarted
    await services.restartDynamoDb();

    // THEN a new process serves the same item
    expect(isAlive(pid)).toBe(false);
    expect(services.pids.dynamodb).not.toBe(pid);
    const item = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'a' } } }));
    expect(item.Item).toEqual({ id: { S: 'a' }, n: { N: '1' } });
    client.destroy();
  });

  test('KAFKA_BROKERS and DYNAMODB_ENDPOINT select existing services, which stop() leaves alone', async () => {
    // GIVEN the environment names running services
    const env = { KAFKA_BROKERS: services.kafkaBrokers, DYNAMODB_ENDPOINT: services.dynamodbEndpoint };

    // WHEN local services start and stop with that environment
    const existing = await LocalServices.start({ env, handleSignals: false, log: () => undefined });
    expect(existing.kafkaBrokers).toBe(env.KAFKA_BROKERS);
    expect(existing.dynamodbEndpoint).toBe(env.DYNAMODB_ENDPOINT);
    expect(existing.pids).toEqual({ kafka: undefined, dynamodb: undefined });
    await existing.stop();

    // THEN the services named still run and answer
    expect(isAlive(services.pids.kafka!)).toBe(true);
    expect(isAlive(services.pids.dynamodb!)).toBe(true);
    await expect(dynamoFor(env.DYNAMODB_ENDPOINT).send(new ListTablesCommand({}))).resolves.toBeDefined();
    await expect(existing.restartKafka()).rejects.toThrow(/KAFKA_BROKERS/);
  });

  test('stop() leaves no JVM and no data directory behind', async () => {
    // GIVEN the running services
    const pids = [services.pids.kafka!, services.pids.dynamodb!];

    // WHEN stopped
    await services.stop();

    // THEN the processes are gone, as is every process naming their data directories
    expect(pids.filter(isAlive)).toEqual([]);
    expect(services.pids).toEqual({ kafka: undefined, dynamodb: undefined });
    for (const dir of dataDirs) {
      expect(jvmsNaming(dir)).toEqual([]);
      expect(fs.existsSync(dir)).toBe(false);
    }
  });
});

describe('LocalServices prerequisites and clean-up', () => {
  test('missing Java gives one message naming what to install and which variables to set', async () => {
    // GIVEN a java that does not exist, WHEN services start, THEN one clear error
    const started = LocalServices.start({ env: {}, javaBin: '/nonexistent/bin/java', handleSignals: false, log: () => undefined });
    await expect(started).rejects.toThrow(LocalServicesError);
    await expect(started).rejects.toThrow(/Java 17\+.*KAFKA_BROKERS.*DYNAMODB_ENDPOINT/s);
  });

  test('missing Maven, when the jars are not cached yet, names Maven 3.8+', async () => {
    // GIVEN an empty cache and a mvn that does not exist
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-services-cache-'));
    try {
      // WHEN the artifacts are ensured, THEN one clear error
      await expect(ensureArtifacts({ cacheDir, mvnBin: '/nonexistent/bin/mvn', log: () => undefined }))
        .rejects.toThrow(/Maven 3\.8\+.*KAFKA_BROKERS/s);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test('no env needed when one service is not asked for', async () => {
    // GIVEN only DynamoDB is wanted and named by the environment, WHEN started, THEN no Java is needed
    const env = { DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT! };
    const services = await LocalServices.start({ env, kafka: false, javaBin: '/nonexistent/bin/java', handleSignals: false });
    expect(services.kafkaBrokers).toBe('');
    expect(services.dynamodbEndpoint).toBe(env.DYNAMODB_ENDPOINT);
    await services.stop();
  });

  /** Runs a Node script that starts DynamoDB Local, prints its pids and data directory, then does `then`. */
  const ownerScript = (then: string): string => {
    const script = path.join(os.tmpdir(), `${uniqueName('owner')}.ts`);
    fs.writeFileSync(script, [
      `import { LocalServices } from ${JSON.stringify(path.join(REPO_ROOT, 'lib/local/services'))};`,
      'LocalServices.start({ env: {}, kafka: false, handleSignals: false, log: () => undefined }).then((s) => {',
      '  console.log(JSON.stringify({ ...s.pids, dataDir: s.dynamodb!.dataDir }));',
      `  ${then}`,
      '});',
    ].join('\n'));
    return script;
  };

  test('a process that exits without stop() takes its JVM and its data directory with it', async () => {
    // GIVEN a Node process that starts DynamoDB Local and exits without stopping it
    const script = ownerScript('process.exit(0);');
    try {
      // WHEN it runs
      const out = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(out.status).toBe(0);
      const pids = JSON.parse(out.stdout.trim().split('\n').pop()!) as { dynamodb: number; dataDir: string };

      // THEN its JVM is gone too
      await waitFor(() => !isAlive(pids.dynamodb), { timeoutMs: 10_000, description: `JVM ${pids.dynamodb} to exit` });
      // AND so is its data directory (which may be in memory), without waiting for a sweep
      expect(fs.existsSync(pids.dataDir)).toBe(false);
    } finally {
      fs.rmSync(script, { force: true });
    }
  });

  test('a SIGKILLed owner leaves its JVM, and the next start\'s sweep kills it and removes its data directory', async () => {
    // GIVEN a Node process that started DynamoDB Local and is SIGKILLed (no exit hook runs)
    const script = ownerScript('setInterval(() => undefined, 1000);');
    const owner = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let stdout = '';
      owner.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      await waitFor(() => stdout.includes('"dataDir"'), { timeoutMs: 120_000, description: 'DynamoDB Local to start in the owner' });
      const pids = JSON.parse(stdout.trim().split('\n').pop()!) as { dynamodb: number; dataDir: string };
      const exited = new Promise((resolve) => owner.once('exit', resolve));
      owner.kill('SIGKILL');
      await exited;
      expect(isAlive(pids.dynamodb)).toBe(true);
      expect(fs.existsSync(pids.dataDir)).toBe(true);

      // WHEN the sweep of a next start runs over every data root
      const killed = dataRoots().flatMap((root) => reapOrphans(root));

      // THEN the orphaned JVM is killed and its data directory removed
      expect(killed).toContain(pids.dynamodb);
      await waitFor(() => !isAlive(pids.dynamodb), { timeoutMs: 10_000, description: `JVM ${pids.dynamodb} to exit` });
      expect(fs.existsSync(pids.dataDir)).toBe(false);
    } finally {
      owner.kill('SIGKILL');
      fs.rmSync(script, { force: true });
    }
  });
});
