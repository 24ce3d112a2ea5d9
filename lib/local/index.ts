/**
 * Local mode, as users import it: `import { … } from 'msk-event-pipelines/local'`. Run a
 * synthesized app on this machine against real Kafka and DynamoDB Local (docs/emulator.md).
 */
export { Emulator } from './emulator/emulator';
export type { EmulatorOptions } from './emulator/emulator';
export type { InvokeResult } from './emulator/function-host';
export type { InvocationRecord } from './emulator/mapping-runner';
export type { AssemblyModel, FunctionModel, MappingModel, TopicModel, TableModel, RouteModel, ScheduleModel } from './emulator/model';
export { synthesizeApp, assemblyIsCurrent } from './emulator/synth';
export type { SynthesizeOptions } from './emulator/synth';
export { LocalServices } from './services/local-services';
export type { LocalServicesOptions } from './services/local-services';
export { LocalServicesError } from './services/errors';
export { silenceSdkNodeWarning } from './sdk-node-warning';
