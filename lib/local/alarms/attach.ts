import type { Emulator } from '../emulator/emulator';
import { readStacks } from '../emulator/assembly';
import type { AssemblyModel } from '../emulator/model';
import { Resolver } from '../emulator/resolve';
import { AlarmModel, readAlarm } from './alarm-model';
import { AlarmEvaluator } from './alarm-evaluator';
import type { EmulatorLogger } from '../emulator/logger';

/** The alarms of the stacks an emulator runs, with references resolved to local names. */
export function assemblyAlarms(model: AssemblyModel): AlarmModel[] {
  const raw = readStacks(model.dir, new Map());
  const resolver = new Resolver(raw, { kafkaBrokers: '', dynamodbEndpoint: '' });
  const running = new Set(model.stacks.map((s) => s.name));
  return raw.filter((s) => running.has(s.name)).flatMap((stack) => Object.entries<any>(stack.template.Resources ?? {})
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm')
    .map(([id, r]) => readAlarm(stack.name, id, resolver.resolve(stack, r.Properties ?? {}))));
}

/**
 * Evaluates the emulator's alarms from its event feed (invocations, function log lines) and its
 * mappings' lag; state changes are emitted as `alarm` events and logged.
 */
export function startAlarms(emulator: Emulator, options: { timeScale?: number; logger: EmulatorLogger }): AlarmEvaluator {
  const functionOf = new Map(emulator.mappings.map((m) => [`${m.stack}/${m.logicalId}`, m.functionName]));
  const evaluator = new AlarmEvaluator(assemblyAlarms(emulator.assembly), {
    timeScale: options.timeScale,
    lags: async () => (await emulator.mappingLags()).map((l) => ({ functionName: functionOf.get(l.mapping) ?? l.mapping, lag: l.lag })),
    onChange: (change) => {
      const fields = { alarm: change.alarm, from: change.from, to: change.to, reason: change.reason };
      if (change.to === 'ALARM') options.logger.warn('alarm state changed', fields);
      else options.logger.info('alarm state changed', fields);
      emulator.emit('alarm', change);
    },
    onNote: (message, fields) => options.logger.warn(message, fields),
  });
  emulator.on('invocation', (i) => evaluator.recordInvocation(i));
  emulator.on('function-log', (l) => evaluator.recordLog(l.functionName, l.line));
  evaluator.start();
  return evaluator;
}
