import { assemblyGraph } from '../../lib/local/console/graph';
import type { AssemblyModel, FunctionModel, MappingModel } from '../../lib/local/emulator/model';

const fn = (name: string, logicalId: string, environment: Record<string, string> = {}): FunctionModel => ({
  name, logicalId, stack: 'S', arn: `arn:${name}`, codeDir: '/x', handler: 'index.handler', runtime: 'nodejs22.x', timeout: 3, memorySize: 128, environment,
});
const mapping = (functionName: string, topic: string, extra: Partial<MappingModel> = {}): MappingModel => ({
  logicalId: `M${functionName}`, stack: 'S', functionName, topics: [topic], eventSource: 'aws:kafka', startingPosition: 'TRIM_HORIZON', batchSize: 100,
  batchingWindow: 0.5, filters: [], consumerGroupId: `${topic}.${functionName}`, reportBatchItemFailures: false, maximumRetryAttempts: -1,
  bisectBatchOnFunctionError: false, maximumRecordAgeInSeconds: -1, enabled: true, ...extra,
});

describe('assemblyGraph', () => {
  // GIVEN a publisher behind a route, a consumer with a dead-letter topic and an alarm, and a chain task that reads and writes its own topic
  const model: Pick<AssemblyModel, 'topics' | 'functions' | 'mappings' | 'routes' | 'schedules' | 'stacks'> = {
    topics: [{ name: 'posts', partitions: 3, replicationFactor: 1, configs: {} }, { name: 'posts.c.dlt', partitions: 3, replicationFactor: 1, configs: {} }, { name: 'chain', partitions: 1, replicationFactor: 1, configs: {} }],
    functions: [
      fn('S-Publisher1', 'Publisher1', { POSTS_TOPIC: 'posts' }),
      fn('S-Consumer2', 'Consumer2', { TOPIC_NAME: 'posts', DEAD_LETTER_TOPIC: 'posts.c.dlt', POWERTOOLS_SERVICE_NAME: 'c' }),
      fn('S-Task3', 'Task3', { CHAIN_TOPIC: 'chain' }),
    ],
    mappings: [
      mapping('S-Consumer2', 'posts', { onFailure: { kind: 'kafka', topic: 'posts.c.dlt' }, filters: [{ value: { type: ['post.published'] } }] }),
      mapping('S-Task3', 'chain'),
    ],
    routes: [{ apiLogicalId: 'Api', api: 'S/Api', stack: 'S', routeKey: 'POST /posts', functionName: 'S-Publisher1', payloadFormatVersion: '2.0' }],
    schedules: [],
    stacks: [{ name: 'S', templateFile: 't', region: 'us-east-1', resources: {
      ErrorsAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Consumer2' } }] } },
      DeadAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'dead-letters', Dimensions: [{ Name: 'service', Value: 'c' }] } },
      Lonely: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: [{ Name: 'Queue', Value: 'q' }] } },
    } }],
  };

  test('WHEN drawn THEN every resource is a node and every path an edge of its kind', () => {
    // WHEN
    const g = assemblyGraph(model);
    // THEN
    expect(g.nodes.map((n) => [n.kind, n.id]).sort()).toEqual([
      ['dead-letter-topic', 'topic:posts.c.dlt'], ['function', 'function:S-Consumer2'], ['function', 'function:S-Publisher1'], ['function', 'function:S-Task3'],
      ['route', 'route:S/Api:POST /posts'], ['topic', 'topic:chain'], ['topic', 'topic:posts'],
    ]);
    expect(g.edges.map((e) => `${e.kind} ${e.from} -> ${e.to}${e.label ? ` (${e.label})` : ''}`).sort()).toEqual([
      'dead-letter function:S-Consumer2 -> topic:posts.c.dlt (on failure)',
      'invokes route:S/Api:POST /posts -> function:S-Publisher1',
      'mapping topic:chain -> function:S-Task3 (chain.S-Task3)',
      'mapping topic:posts -> function:S-Consumer2 (posts.S-Consumer2)',
      'writes function:S-Publisher1 -> topic:posts (POSTS_TOPIC)',
      'writes function:S-Task3 -> topic:chain (CHAIN_TOPIC)',
    ]);
    expect(g.edges.find((e) => e.kind === 'mapping' && e.to === 'function:S-Consumer2')!.detail).toBe('filters [{"value":{"type":["post.published"]}}]');
  });

  test('WHEN drawn THEN alarms sit on the function they watch and the rest are named', () => {
    const g = assemblyGraph(model);
    expect(g.nodes.find((n) => n.id === 'function:S-Consumer2')!.alarms).toEqual(['ErrorsAlarm', 'dead-letters']);
    expect(g.unattachedAlarms).toEqual(['Lonely']);
  });

  test('WHEN laid out THEN each edge of the acyclic part runs left to right and no two nodes overlap', () => {
    const g = assemblyGraph(model);
    const at = new Map(g.nodes.map((n) => [n.id, n]));
    for (const e of g.edges.filter((x) => !(x.from === 'function:S-Task3' && x.to === 'topic:chain'))) expect(at.get(e.from)!.x).toBeLessThan(at.get(e.to)!.x);
    const boxes = g.nodes.map((n) => `${n.x},${n.y}`);
    expect(new Set(boxes).size).toBe(boxes.length);
    for (const n of g.nodes) {
      expect(n.x + n.width).toBeLessThanOrEqual(g.width);
      expect(n.y + n.height).toBeLessThanOrEqual(g.height);
    }
  });
});
