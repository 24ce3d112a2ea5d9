export { AlarmEvaluator } from './alarm-evaluator';
export type { AlarmEvaluatorOptions, AlarmStateChange, AlarmStatus, InvocationSample } from './alarm-evaluator';
export { readAlarm } from './alarm-model';
export type { AlarmModel, Comparison, TreatMissingData } from './alarm-model';
export { assemblyAlarms, startAlarms } from './attach';
export { readEmf } from './emf';
export type { EmfResult, MetricDatum } from './emf';
export { evaluate, statisticOf } from './evaluate';
export type { AlarmState } from './evaluate';
