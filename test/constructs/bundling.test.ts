import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TaskChain } from '../../lib/chain';
import { KafkaCluster } from '../../lib/cluster';
import { KafkaConsumer } from '../../lib/consumer';
import { FanoutTopic } from '../../lib/fanout';
import { mergeBundling } from '../../lib/function/project-function';
import { KafkaTopic } from '../../lib/topic';

const POWERTOOLS_CONSUMER = path.join(__dirname, '..', 'fixtures', 'functions', 'powertools-kafka-consumer.ts');
const EXTERNAL_SCHEMAS = { externalModules: ['avro-js', 'protobufjs'] };

/**
 * Bundling options a user passes to the constructs that build a function from their entry,
 * merged over the project's defaults. These tests really bundle (esbuild), then read the bundle.
 */
describe('bundling options of user functions', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundling-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  /** The asset directory of the Lambda function of the stack whose logical id starts with `prefix`. */
  const assetOf = (stack: Stack, prefix: string): string => {
    const [, fn] = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(prefix))!;
    return path.join(outdir, fn.Metadata['aws:asset:path']);
  };
  const bundleOf = (stack: Stack, prefix: string): string => fs.readFileSync(path.join(assetOf(stack, prefix), 'index.js'), 'utf8');
  const newStack = (id: string) => {
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, id);
    const cluster = new KafkaCluster(stack, 'Cluster');
    return { stack, cluster, topic: new KafkaTopic(stack, 'Topic', { cluster, topicName: 'events' }) };
  };

  test('GIVEN a consumer built on @aws-lambda-powertools/kafka and no bundling options WHEN synthesized THEN esbuild cannot resolve its optional schema libraries', () => {
    const { stack, cluster, topic } = newStack('NoOptions');
    // (esbuild prints `Could not resolve "avro-js"` and `"protobufjs"`; the CDK throws this)
    expect(() => new KafkaConsumer(stack, 'Powertools', { cluster, topic, entry: POWERTOOLS_CONSUMER })).toThrow(/^Failed to bundle asset NoOptions\/Powertools\/Function\/Code\/Stage/);
  });

  test('GIVEN that consumer with externalModules and a define WHEN synthesized THEN the schema libraries stay external, the define applies and the project defaults hold', () => {
    // GIVEN
    const { stack, cluster, topic } = newStack('WithOptions');
    // WHEN
    new KafkaConsumer(stack, 'Powertools', { cluster, topic, entry: POWERTOOLS_CONSUMER, bundling: { ...EXTERNAL_SCHEMAS, define: { 'process.env.FEATURE_FLAG': '"on"' } } });
    // THEN
    const bundle = bundleOf(stack, 'PowertoolsFunction');
    expect(bundle).toMatch(/require\("avro-js"\)/);
    expect(bundle).toMatch(/require\("protobufjs"\)/);
    expect(bundle).toContain('feature:"on"');
    // Minified (local names shortened), with an external source map beside it: the project's defaults still apply.
    expect(bundle).not.toContain('KafkaConsumerDeserializationError = class');
    expect(fs.existsSync(path.join(assetOf(stack, 'PowertoolsFunction'), 'index.js.map'))).toBe(true);
  });

  test('GIVEN FanoutTopic.addConsumer and a chain task with bundling WHEN synthesized THEN each bundle gets its options (a task over its chain)', () => {
    const { stack, cluster } = newStack('Patterns');
    const posts = new FanoutTopic(stack, 'Posts', { cluster, topicName: 'posts' });
    posts.addConsumer('decoder', { entry: POWERTOOLS_CONSUMER, bundling: EXTERNAL_SCHEMAS });
    new TaskChain(stack, 'Chain', {
      cluster,
      chainName: 'bundled',
      bundling: { define: { 'process.env.FEATURE_FLAG': '"chain"' } },
      tasks: [
        { name: 'plain', entry: POWERTOOLS_CONSUMER, bundling: EXTERNAL_SCHEMAS },
        { name: 'flagged', entry: POWERTOOLS_CONSUMER, dependsOn: ['plain'], bundling: { ...EXTERNAL_SCHEMAS, define: { 'process.env.FEATURE_FLAG': '"task"' } } },
      ],
    });
    expect(bundleOf(stack, 'PostsDecoderFunction')).toMatch(/require\("avro-js"\)/);
    expect(bundleOf(stack, 'ChainTaskplainFunction')).toContain('feature:"chain"');
    expect(bundleOf(stack, 'ChainTaskflaggedFunction')).toContain('feature:"task"');
  });

  test('GIVEN defaults and overrides THEN scalars and lists are replaced and maps are merged key by key', () => {
    expect(
      mergeBundling(
        { minify: true, sourceMap: true, define: { A: '"1"', B: '"2"' }, loader: { '.txt': 'text' }, externalModules: ['x'] },
        { minify: false, define: { B: '"3"' }, loader: { '.sql': 'text' }, externalModules: ['y'], nodeModules: ['z'] },
      ),
    ).toEqual({ minify: false, sourceMap: true, define: { A: '"1"', B: '"3"' }, loader: { '.txt': 'text', '.sql': 'text' }, externalModules: ['y'], nodeModules: ['z'] });
    expect(mergeBundling({ minify: true }, undefined)).toEqual({ minify: true });
  });
});
