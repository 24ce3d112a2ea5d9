import * as net from 'net';
import { resetKafka, resolveBrokers } from '../../lambdas/runtime/kafka-client';

const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/demo/751d2973-a626-431c-9d4e-d7975eb44dd7-2';

beforeEach(() => resetKafka());

describe('broker discovery fallback', () => {
  // A real SDK client against a local endpoint that accepts connections and never answers: the MSK
  // API as a function in an isolated subnet sees it (no route, no answer).
  let server: net.Server;
  let endpoint: string;
  const sockets = new Set<net.Socket>();
  const saved = { ...process.env };

  beforeAll(async () => {
    server = net.createServer((socket) => { sockets.add(socket); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    process.env = saved;
  });

  test('GIVEN only a cluster ARN and an MSK API that never answers WHEN brokers are resolved THEN it fails after one attempt, naming KAFKA_BOOTSTRAP_SERVERS', async () => {
    // GIVEN
    Object.assign(process.env, { AWS_ENDPOINT_URL_KAFKA: endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    // WHEN
    const result = resolveBrokers({ KAFKA_CLUSTER_ARN: arn, AWS_REGION: 'eu-west-1' });
    // THEN
    await expect(result).rejects.toThrow(/KAFKA_BOOTSTRAP_SERVERS is not set, and discovering the brokers of arn:aws:kafka:eu-west-1:123456789012:cluster\/demo\/.* with the MSK API \(GetBootstrapBrokers\) failed: .*Set KAFKA_BOOTSTRAP_SERVERS/s);
    expect(sockets.size).toBe(1);
  }, 30_000);
});

