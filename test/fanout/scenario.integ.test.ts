import * as fs from 'fs';
import { Emulator } from '../../lib/local/emulator';
import { runPostScenario } from '../../lib/local/scenarios/posts';
import { synthToDir } from '../support/synth';
import { buildPostApp } from './post-app';

// The `npm start` fan-out scenario against the example stacks (default topic name, as in the app).
describe('post scenario', () => {
  let assemblyDir: string;
  let emulator: Emulator | undefined;

  beforeAll(async () => {
    assemblyDir = synthToDir((app) => buildPostApp(app));
    emulator = await Emulator.start({
      assemblyDir,
      services: { kafkaBrokers: process.env.KAFKA_BROKERS!, dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT! },
      stacks: ['PostPublisher', 'PostConsumers'],
      onLog: () => undefined,
    });
  }, 180_000);

  afterAll(async () => {
    await emulator?.stop();
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  });

  test('GIVEN the example graph WHEN the scenario runs THEN every consumer effect is present exactly once per post', async () => {
    // WHEN
    const summary = await runPostScenario(emulator!, { dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT });
    // THEN
    expect(summary.problems).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(summary.posts).toHaveLength(3);
    expect(summary.rejected).toEqual({ status: 400, field: 'title' });
    for (const consumer of Object.values(summary.consumers)) expect(consumer).toEqual({ exactlyOnce: 3, expected: 3 });
  });
});
