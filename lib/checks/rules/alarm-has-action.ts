import type { ResourceView, Rule } from '../rule';

/** Alarms that notify nobody. */
export const AlarmHasAction: Rule = {
  name: 'AlarmHasAction',
  info: 'The CloudWatch alarm has no alarm action.',
  explanation: 'An alarm without an action changes state in the console and tells nobody. Give the constructs an alarmAction (e.g. an SNS topic). See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html',
  severity: 'error',
  resourceTypes: ['AWS::CloudWatch::Alarm'],
  check(alarm: ResourceView): string[] {
    const actions = alarm.properties.AlarmActions;
    return !Array.isArray(actions) || actions.length === 0 ? ['alarm without AlarmActions: it changes state and notifies nobody'] : [];
  },
};
