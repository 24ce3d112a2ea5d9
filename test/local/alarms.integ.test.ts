import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Kafka, logLevel } from 'kafkajs';
import { parsePost, postPublishedEvent } from '../../lambdas/examples/post-publisher/post';
import { encodeEvent } from '../../lambdas/runtime/cloudevents';
import { checkAssembly } from '../../lib/cli/check';
import type { AlarmStateChange } from '../../lib/local/alarms';
import { Emulator } from '../../lib/local/emulator';
import { buildPostApp } from '../fanout/post-app';
import { synthToDir } from '../support/synth';

// The consumers' own alarms, evaluated locally against the metrics the run produces: the fan-out
// consumers with a real-estate consumer that rejects posts whose id starts with `poison-`, plus two
// alarms on a metric nobody emits (a typo). Alarm periods pass 60 times faster than the wall clock.
const run = randomUUID().slice(0, 8);
const topicName = `alarm-posts-${run}`;
const services = { kafkaBrokers: process.env.KAFKA_BROKERS!, dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT! };
const logs: string[] = [];
const changes: AlarmStateChange[] = [];
let assemblyDir: string;
let reportFile: string;
let emulator: Emulator;

/** Resolves with the first state change of an alarm whose logical id contains `id`, to `state`. */
function alarmChange(id: string, state: string, timeoutMs = 60_000): Promise<AlarmStateChange> {
  const match = (c: AlarmStateChange) => c.logicalId.includes(id) && c.to === state;
  const seen = changes.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${id} -> ${state} within ${timeoutMs} ms; changes: ${changes.map((c) => `${c.logicalId} ${c.to}`).join(', ')}`)), timeoutMs);
    const listener = (c: AlarmStateChange) => {
      if (!match(c)) return;
      clearTimeout(timer);
      emulator.off('alarm', listener);
      resolve(c);
    };
    emulator.on('alarm', listener);
  });
}

beforeAll(async () => {
  assemblyDir = synthToDir((app) => {
    const { consumers } = buildPostApp(app, { topicName, consumers: { realEstateRejectsPostIdPrefix: 'poison-' } });
    const typo = new cloudwatch.Metric({ namespace: 'MskPipelines', metricName: 'DeadLetterdRecords', dimensionsMap: { service: consumers.realEstate.consumerName }, statistic: 'Sum', period: Duration.minutes(1) });
    typo.createAlarm(consumers, 'TypoAlarm', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD });
    typo.createAlarm(consumers, 'TypoNotBreachingAlarm', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });
  });
  reportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alarms-report-')), 'report.json');
  emulator = await Emulator.start({ assemblyDir, services, stacks: ['PostConsumers'], onLog: (line) => logs.push(line), alarmTimeScale: 60, reportFile });
  emulator.on('alarm', (c) => changes.push(c));
}, 180_000);

afterAll(async () => {
  await emulator?.stop();
  if (assemblyDir) fs.rmSync(assemblyDir, { recursive: true, force: true });
  if (reportFile) fs.rmSync(path.dirname(reportFile), { recursive: true, force: true });
});

afterEach(() => {
  const state = expect.getState();
  if (state.assertionCalls !== state.numPassingAsserts) process.stderr.write(`${logs.slice(-100).join('\n')}\n`);
});

describe('alarms evaluated locally', () => {
  test('GIVEN a poison record WHEN its consumer dead-letters it THEN the consumer\'s dead-letter alarm goes to ALARM, and the other consumers\' do not', async () => {
    // GIVEN
    const kafka = new Kafka({ clientId: 'alarms-test', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const event = postPublishedEvent(parsePost({ postId: `poison-${run}`, authorId: `author-${run}`, title: 'rejected by real estate' }), 'urn:test');
    // WHEN
    await producer.send({ topic: topicName, messages: [{ key: event.subject!, value: encodeEvent(event) }] });
    await producer.disconnect();
    // THEN
    const alarm = await alarmChange('RealEstateDeadLetteredAlarm', 'ALARM');
    // (it may have gone to OK first: treatMissingData notBreaching, before the record arrived)
    expect(alarm).toEqual(expect.objectContaining({ stack: 'PostConsumers', alarm: expect.stringMatching(/^PostConsumers-PostsRealEstateDeadLetteredAlarm/) }));
    expect(alarm.reason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[1\.0\] was greater than or equal to the threshold \(1\.0\)/);
    await alarmChange('RecruitmentDeadLetteredAlarm', 'OK');
    const states = new Map(emulator.alarms!.statuses().map((s) => [s.logicalId.replace(/[0-9A-F]{8}$/, ''), s.state]));
    expect([states.get('PostsRecruitmentDeadLetteredAlarm'), states.get('PostsSecondHandDeadLetteredAlarm')]).toEqual(['OK', 'OK']);
    // The consumer dead-lettered in its handler: its invocations succeeded, so its Errors alarm is OK.
    await alarmChange('RealEstateErrorsAlarm', 'OK');
    expect(logs.some((l) => /^\[alarm\] WARN alarm state changed alarm=PostConsumers-PostsRealEstateDeadLetteredAlarm[0-9A-F]{8} from=(INSUFFICIENT_DATA|OK) to=ALARM reason="Threshold Crossed/.test(l))).toBe(true);
  }, 90_000);

  test('GIVEN alarms on a metric nobody emits THEN one stays INSUFFICIENT_DATA and the notBreaching one is OK, and check reports both', async () => {
    // GIVEN the run above has produced dead letters under the right name only
    await alarmChange('TypoNotBreachingAlarm', 'OK');
    // THEN
    const typo = emulator.alarms!.statuses().find((s) => s.logicalId.startsWith('TypoAlarm'))!;
    expect(typo.state).toBe('INSUFFICIENT_DATA');
    expect(typo.reason).toMatch(/No datapoint of this metric was recorded in the run\.$/);
    const found = checkAssembly(assemblyDir).findings.filter((f) => f.rule === 'AlarmMetricEmitted').map((f) => [f.logicalId.replace(/[0-9A-F]{8}$/, ''), f.message]);
    expect(found).toEqual([
      ['TypoAlarm', 'no function in the cloud assembly emits MskPipelines DeadLetterdRecords {service=real-estate}'],
      ['TypoNotBreachingAlarm', 'no function in the cloud assembly emits MskPipelines DeadLetterdRecords {service=real-estate}'],
    ]);
  }, 60_000);

  test('WHEN the emulator stops THEN the report holds every alarm\'s state and each change', async () => {
    await emulator.stop();
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    expect(report.alarms.timeScale).toBe(60);
    expect(report.alarms.states.length).toBe(11);
    expect(report.alarms.changes).toEqual(expect.arrayContaining([expect.objectContaining({ to: 'ALARM', logicalId: expect.stringMatching(/^PostsRealEstateDeadLetteredAlarm/) })]));
  });
});
