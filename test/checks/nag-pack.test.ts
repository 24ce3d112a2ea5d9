import { App, Duration, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { declareMetrics, MskPipelinesChecks } from '../../lib/checks';
import { recorderFunction } from '../local/fixtures/emulator-app';
import { buildRightApp, buildWrongApp, WRONG } from './check-apps';

/** `MskPipelines-<rule>` and the construct path of each violating resource, one line each. */
function violations(scope: IConstruct): string[] {
  return new MskPipelinesChecks().validateScope(scope).violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${v.severity} ${r.constructPath}`)).sort();
}

const testApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

describe('MskPipelinesChecks (cdk-nag pack)', () => {
  test('GIVEN an app that breaks every rule once THEN the pack reports each rule on its resource, and what it cannot see from the stack as not emitted', () => {
    // GIVEN
    const app = testApp();
    const { wrong, watcher } = buildWrongApp(app);
    // WHEN
    const found = [...violations(wrong), ...violations(watcher)];
    // THEN each rule of the wrong stack, on the construct it names
    const pathOf = (id: string) => (id === 'ApiPOSTorders' ? 'Wrong/Api/POST--orders/Resource' : `Wrong/${id}${id === 'OpenCluster' || id === 'NoGroupMapping' || id === 'ProvisionedOnlyMapping' || id === 'RestFormatStage' ? '' : '/Resource'}`);
    const expected = Object.entries(WRONG).flatMap(([rule, ids]) => ids.map((id) => `MskPipelines-${rule} error ${pathOf(id)}`));
    expect(found.filter((l) => l.includes(' Wrong/'))).toEqual(expected.sort());
    // The emitter is in another stack: out of the pack's view (check follows it); the imported consumer cannot be judged.
    expect(found.filter((l) => l.includes(' Watcher/'))).toEqual(['MskPipelines-AlarmMetricEmitted error Watcher/CrossStackAlarm/Resource']);
  });

  test('GIVEN the same kinds of resources built with the library\'s constructs THEN the pack finds nothing (negative control)', () => {
    const app = testApp();
    expect(violations(buildRightApp(app))).toEqual([]);
  });

  test('GIVEN a finding acknowledged with its reason THEN the pack no longer reports it, and still reports the others', () => {
    // GIVEN
    const app = testApp();
    const { wrong } = buildWrongApp(app);
    // WHEN
    Validations.of(wrong.node.findChild('SilentAlarm')).acknowledge({ id: 'MskPipelines-AlarmHasAction', reason: 'watched on a dashboard only' });
    // THEN
    const found = violations(wrong);
    expect(found.some((l) => l.startsWith('MskPipelines-AlarmHasAction'))).toBe(false);
    expect(found.some((l) => l.startsWith('MskPipelines-AlarmMetricEmitted'))).toBe(true);
  });

  test('GIVEN an alarm in a stack whose emitter is in one of its nested stacks THEN the pack sees it (a stack and its nested stacks are one view)', () => {
    // GIVEN
    const app = testApp();
    const parent = new Stack(app, 'Parent');
    const fn = recorderFunction(new NestedStack(parent, 'Tasks'), 'Task');
    declareMetrics(fn, [{ namespace: 'Shop', metricName: 'OrdersPlaced', dimensions: { shop: 'north' } }]);
    const metric = (shop: string) => new cloudwatch.Metric({ namespace: 'Shop', metricName: 'OrdersPlaced', dimensionsMap: { shop }, statistic: 'Sum', period: Duration.minutes(5) });
    const action = new SnsAction(new sns.Topic(parent, 'Alarms'));
    metric('north').createAlarm(parent, 'North', { threshold: 1, evaluationPeriods: 1 }).addAlarmAction(action);
    metric('south').createAlarm(parent, 'South', { threshold: 1, evaluationPeriods: 1 }).addAlarmAction(action);
    // WHEN / THEN: only the alarm on the dimension value nobody writes
    expect(violations(parent)).toEqual(['MskPipelines-AlarmMetricEmitted error Parent/South/Resource']);
  });
});
