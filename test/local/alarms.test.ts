import type { LogFields } from '../../lib/local/emulator/logger';
import { taskMetrics } from '../../lambdas/runtime/chain/metrics';
import { emitDeadLettered } from '../../lambdas/runtime/metrics';
import { AlarmEvaluator, AlarmModel, AlarmStateChange, evaluate, readAlarm, readEmf, statisticOf } from '../../lib/local/alarms';

/** The line a runtime EMF writer prints, captured instead of written to stdout. */
function line(write: (w: (l: string) => void) => void): string {
  const lines: string[] = [];
  write((l) => lines.push(l));
  return lines[0];
}

describe('reading EMF lines (the CloudWatch embedded metric format specification)', () => {
  test('GIVEN the runtime\'s dead-letter line THEN one metric with its namespace, dimension, value, unit and timestamp', () => {
    const result = readEmf(line((w) => emitDeadLettered('billing', 2, w)));
    expect(result).toEqual({ kind: 'metrics', metrics: [{ namespace: 'MskPipelines', metricName: 'DeadLetteredRecords', dimensions: { service: 'billing' }, values: [2], unit: 'Count', timestamp: expect.any(Number) }] });
  });

  test('GIVEN a task line with two dimension sets and two metrics THEN one metric per name and set', () => {
    const result = readEmf(line((w) => taskMetrics('nightly', 'task1', { TaskSucceeded: 1, TaskDuration: 1500 }, w)));
    expect(result.kind === 'metrics' && result.metrics.map((m) => `${m.metricName} ${JSON.stringify(m.dimensions)} ${m.values} ${m.unit}`)).toEqual([
      'TaskSucceeded {"Chain":"nightly"} 1 Count', 'TaskSucceeded {"Chain":"nightly","Task":"task1"} 1 Count',
      'TaskDuration {"Chain":"nightly"} 1500 Milliseconds', 'TaskDuration {"Chain":"nightly","Task":"task1"} 1500 Milliseconds',
    ]);
  });

  test('GIVEN an array of values and a metric without dimensions THEN every value, unit None by default', () => {
    const result = readEmf(JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'Shop', Dimensions: [[]], Metrics: [{ Name: 'Latency' }] }] }, Latency: [3, 5, 8] }));
    expect(result).toEqual({ kind: 'metrics', metrics: [{ namespace: 'Shop', metricName: 'Latency', dimensions: {}, values: [3, 5, 8], unit: 'None', timestamp: 1 }] });
  });

  test.each([
    ['a dimension whose member is not a string', { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'S', Dimensions: [['shop']], Metrics: [{ Name: 'N' }] }] }, shop: 7, N: 1 }, "_aws.CloudWatchMetrics[0]: dimension 'shop' must be a string member of the document, got 7"],
    ['a metric whose member is not a number', { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'S', Dimensions: [], Metrics: [{ Name: 'N' }] }] }, N: '1' }, "_aws.CloudWatchMetrics[0]: metric 'N' must be a number or an array of at most 100 numbers, got \"1\""],
    ['more than 100 values', { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'S', Dimensions: [], Metrics: [{ Name: 'N' }] }] }, N: new Array(101).fill(1) }, expect.stringMatching(/^_aws.CloudWatchMetrics\[0\]: metric 'N' must be a number or an array of at most 100 numbers/)],
    ['no timestamp', { _aws: { CloudWatchMetrics: [] } }, '_aws.Timestamp must be a number (milliseconds since the epoch)'],
    ['no namespace', { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Dimensions: [], Metrics: [] }] } }, '_aws.CloudWatchMetrics[0].Namespace must be a string of 1 to 1024 characters'],
  ])('GIVEN %s THEN nothing is extracted and the reason names the member', (_what, doc, reason) => {
    expect(readEmf(JSON.stringify(doc))).toEqual({ kind: 'invalid', reason });
  });

  test('GIVEN plain log lines, JSON without _aws, or text around the JSON THEN they are no EMF document', () => {
    for (const text of ['record dead-lettered', '{"level":"INFO","message":"hi"}', `2026-12-01T00:00:00Z\tINFO\t${line((w) => emitDeadLettered('s', 1, w))}`]) {
      expect(readEmf(text)).toEqual({ kind: 'none' });
    }
  });
});

describe('statistics over one period', () => {
  test.each([
    ['SampleCount', 4], ['Sum', 20], ['Average', 5], ['Minimum', 1], ['Maximum', 10], ['p50', 3], ['p90', 10], ['p99.9', 10],
  ])('%s of [6, 1, 3, 10] is %d', (statistic, expected) => {
    expect(statisticOf([6, 1, 3, 10], statistic as string)).toBe(expected);
  });

  test('an empty period has no datapoint', () => {
    expect(statisticOf([], 'Sum')).toBeUndefined();
  });
});

describe('alarm evaluation (CloudWatch: evaluation range, datapoints to alarm, missing data)', () => {
  const alarm = (o: Partial<Parameters<typeof evaluate>[0]> = {}) => ({ threshold: 1, comparison: 'GreaterThanOrEqualToThreshold' as const, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: 'missing' as const, ...o });
  const _ = undefined;

  // Rows: evaluation range (oldest first; _ = no datapoint), treatment, state before → state after.
  test.each([
    ['no period missing: the last 3 are evaluated', [0, 0, 1, 1, 1], 'missing', 'OK', 'ALARM'],
    ['no period missing, one good in the last 3', [1, 1, 0, 1, 1], 'missing', 'ALARM', 'OK'],
    ['some missing, 3 real in range: the 3 most recent real ones', [1, _, 1, _, 1], 'notBreaching', 'OK', 'ALARM'],
    ['all missing, missing', [_, _, _, _, _], 'missing', 'OK', 'INSUFFICIENT_DATA'],
    ['all missing, ignore keeps the state', [_, _, _, _, _], 'ignore', 'ALARM', 'ALARM'],
    ['all missing, breaching', [_, _, _, _, _], 'breaching', 'OK', 'ALARM'],
    ['all missing, notBreaching', [_, _, _, _, _], 'notBreaching', 'ALARM', 'OK'],
    ['one real breaching, breaching fills the rest', [_, _, 1, _, _], 'breaching', 'OK', 'ALARM'],
    ['one real breaching, notBreaching fills the rest', [_, _, 1, _, _], 'notBreaching', 'ALARM', 'OK'],
    ['one real breaching, missing evaluates it alone', [_, _, 1, _, _], 'missing', 'OK', 'ALARM'],
    ['one real good, missing evaluates it alone', [_, _, _, _, 0], 'missing', 'ALARM', 'OK'],
    ['one real breaching, ignore keeps the state', [_, _, 1, _, _], 'ignore', 'OK', 'OK'],
  ] as const)('%s', (_name, range, treatMissingData, before, after) => {
    expect(evaluate(alarm({ treatMissingData }), range, before).state).toBe(after);
  });

  test('GIVEN 2 datapoints to alarm out of 3 THEN two breaching of the last three make ALARM, one does not', () => {
    expect(evaluate(alarm({ datapointsToAlarm: 2 }), [0, 0, 1, 0, 1], 'OK').state).toBe('ALARM');
    expect(evaluate(alarm({ datapointsToAlarm: 2 }), [1, 1, 0, 0, 1], 'OK').state).toBe('OK');
  });

  test('GIVEN each comparison THEN the threshold itself breaches only the inclusive ones', () => {
    const at = (comparison: any) => evaluate(alarm({ comparison, evaluationPeriods: 1, datapointsToAlarm: 1 }), [1], 'OK').state;
    expect([at('GreaterThanOrEqualToThreshold'), at('GreaterThanThreshold'), at('LessThanThreshold'), at('LessThanOrEqualToThreshold')]).toEqual(['ALARM', 'OK', 'OK', 'ALARM']);
  });

  test('the reason says what crossed', () => {
    expect(evaluate(alarm({ evaluationPeriods: 1, datapointsToAlarm: 1 }), [_, _, 2], 'OK').reason)
      .toBe('Threshold Crossed: 1 out of the last 1 datapoints [2.0] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for ALARM).');
  });
});

describe('reading alarms from template properties', () => {
  test('GIVEN a CDK alarm THEN its metric, statistic, period and evaluation settings, with CloudWatch defaults', () => {
    const a = readAlarm('S', 'A', { Namespace: 'MskPipelines', MetricName: 'DeadLetteredRecords', Dimensions: [{ Name: 'service', Value: 'billing' }], Statistic: 'Sum', Period: 60, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 2, AlarmActions: ['arn'] });
    expect(a).toEqual(expect.objectContaining({ key: 'S/A', name: 'S-A', dimensions: { service: 'billing' }, statistic: 'Sum', period: 60, datapointsToAlarm: 2, treatMissingData: 'missing', unsupported: undefined }));
  });

  test.each([
    ['a metric-math expression', { Metrics: [{ Id: 'e', Expression: 'a*2' }, { Id: 'a', ReturnData: false, MetricStat: { Metric: { Namespace: 'S', MetricName: 'N' }, Stat: 'Sum', Period: 60 } }], ComparisonOperator: 'GreaterThanThreshold' }, 'metric math with expressions is not evaluated locally'],
    ['an anomaly band', { Namespace: 'S', MetricName: 'N', Statistic: 'Sum', ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' }, 'comparison LessThanLowerOrGreaterThanUpperThreshold (anomaly detection bands) is not evaluated locally'],
    ['a trimmed mean', { Namespace: 'S', MetricName: 'N', ExtendedStatistic: 'tm90', ComparisonOperator: 'GreaterThanThreshold' }, 'statistic tm90 is not evaluated locally (SampleCount, Average, Sum, Minimum, Maximum and pNN are)'],
  ])('GIVEN %s THEN the alarm is kept, marked as not evaluated locally', (_what, props, unsupported) => {
    expect(readAlarm('S', 'A', props).unsupported).toBe(unsupported);
  });

  test('GIVEN a metric-math alarm returning one plain metric THEN that metric is evaluated', () => {
    const a = readAlarm('S', 'A', { Metrics: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'S', MetricName: 'N', Dimensions: [{ Name: 'd', Value: 'v' }] }, Stat: 'p90', Period: 300 } }], ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, EvaluationPeriods: 1 });
    expect([a.namespace, a.metricName, a.dimensions, a.statistic, a.period, a.unsupported]).toEqual(['S', 'N', { d: 'v' }, 'p90', 300, undefined]);
  });
});

describe('the alarm evaluator on a scaled clock', () => {
  const T0 = Date.parse('2026-12-01T00:00:00Z');
  const deadLettered = (o: Partial<AlarmModel> = {}): AlarmModel => ({
    ...readAlarm('Consumers', 'DeadLettered', {
      Namespace: 'MskPipelines', MetricName: 'DeadLetteredRecords', Dimensions: [{ Name: 'service', Value: 'billing' }], Statistic: 'Sum', Period: 60,
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: ['arn:aws:sns:r:a:alarms'],
    }),
    ...o,
  });
  const errors = readAlarm('Consumers', 'Errors', {
    Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'billing-fn' }], Statistic: 'Sum', Period: 300,
    Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'missing',
  });

  function evaluator(alarms: AlarmModel[]) {
    let now = T0;
    const changes: AlarmStateChange[] = [];
    const notes: Array<{ message: string; fields: LogFields }> = [];
    const e = new AlarmEvaluator(alarms, { timeScale: 60, now: () => now, onChange: (c) => changes.push(c), onNote: (message, fields) => notes.push({ message, fields }) });
    /** Moves the wall clock by `ms` and lets the evaluator look. */
    const after = (ms: number) => { now += ms; e.tick(); };
    return { e, changes, notes, after, at: () => now };
  }

  test('GIVEN a dead-lettered record WHEN its one-minute period completes (1 s at scale 60) THEN ALARM, kept while the datapoint is in the evaluation range, then OK', () => {
    // GIVEN
    const { e, changes, after, at } = evaluator([deadLettered()]);
    after(500);
    e.recordLog('billing-fn', line((w) => emitDeadLettered('billing', 1, w)).replace(/"Timestamp":\d+/, `"Timestamp":${at()}`));
    // WHEN
    after(400); // 0.9 s: the period is not over
    const before = changes.length;
    after(200); // 1.1 s
    // THEN
    expect(before).toBe(0);
    expect(changes.map((c) => `${c.from} -> ${c.to}`)).toEqual(['INSUFFICIENT_DATA -> ALARM']);
    expect(changes[0]).toEqual(expect.objectContaining({ alarm: 'Consumers-DeadLettered', actions: 1, metricTime: new Date(T0 + 60_000).toISOString() }));
    // CloudWatch evaluates the most recent real datapoint while it is in the evaluation range (3 periods here).
    after(1000);
    after(1000);
    expect(changes.map((c) => c.to)).toEqual(['ALARM']);
    after(1000);
    expect(changes.map((c) => c.to)).toEqual(['ALARM', 'OK']);
    expect(e.statuses()[0]).toEqual(expect.objectContaining({ state: 'OK', watches: 'MskPipelines DeadLetteredRecords {service=billing} Sum/60s GreaterThanOrEqualToThreshold 1' }));
  });

  test('GIVEN another consumer\'s dead letters and a typo\'d metric THEN neither alarm fires', () => {
    const { e, changes, after, at } = evaluator([deadLettered(), deadLettered({ metricName: 'DeadLetterdRecords', logicalId: 'Typo', name: 'Typo', treatMissingData: 'missing' })]);
    e.recordLog('other-fn', line((w) => emitDeadLettered('invoices', 5, w)).replace(/"Timestamp":\d+/, `"Timestamp":${at()}`));
    after(5000);
    expect(changes.map((c) => `${c.alarm} ${c.to}`)).toEqual(['Consumers-DeadLettered OK']);
    expect(e.statuses()[1]).toEqual(expect.objectContaining({ state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: 3 datapoints were unknown. No datapoint of this metric was recorded in the run.' }));
  });

  test('GIVEN failed and succeeded invocations THEN the Errors alarm counts the failed only, stamped with their start', () => {
    const { e, changes, after, at } = evaluator([errors]);
    const start = () => new Date(at()).toISOString();
    e.recordInvocation({ functionName: 'billing-fn', start: start(), durationMs: 12, outcome: 'succeeded' });
    after(5100); // one 5-minute period at scale 60
    expect(changes.map((c) => c.to)).toEqual(['OK']);
    e.recordInvocation({ functionName: 'billing-fn', start: start(), durationMs: 30, outcome: 'timed-out' });
    e.recordInvocation({ functionName: 'other-fn', start: start(), durationMs: 30, outcome: 'failed' });
    e.recordInvocation({ functionName: 'billing-fn', start: start(), durationMs: 30, outcome: 'partial' });
    after(5000);
    expect(changes.map((c) => c.to)).toEqual(['OK', 'ALARM']);
    expect(changes[1].reason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[1\.0\]/);
  });

  test('GIVEN an EMF line CloudWatch would reject THEN it is noted once and counts for nothing', () => {
    const { e, changes, notes, after } = evaluator([deadLettered()]);
    const bad = JSON.stringify({ _aws: { Timestamp: T0, CloudWatchMetrics: [{ Namespace: 'MskPipelines', Dimensions: [['service']], Metrics: [{ Name: 'DeadLetteredRecords' }] }] }, service: 'billing', DeadLetteredRecords: 'one' });
    e.recordLog('billing-fn', bad);
    e.recordLog('billing-fn', bad);
    after(1100);
    expect(changes.map((c) => c.to)).toEqual(['OK']);
    expect(notes).toEqual([{
      message: 'EMF line not extracted (CloudWatch would reject it)',
      fields: { function: 'billing-fn', reason: '_aws.CloudWatchMetrics[0]: metric \'DeadLetteredRecords\' must be a number or an array of at most 100 numbers, got "one"' },
    }]);
  });

  test('GIVEN a time scale out of range THEN the error names the option, the range and the value', () => {
    expect(() => new AlarmEvaluator([], { timeScale: 0 })).toThrow('alarmTimeScale must be a number from 1 to 100000, got 0');
  });
});
