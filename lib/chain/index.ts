export {
  CHAIN_NAME_PATTERN, ChainDeclarationError, isValidTimeZone, RUN_ID_PATTERN, scheduleExpressionError, TASK_NAME_PATTERN, validateChain, validateRunId,
} from './declaration';
export type { ChainDeadline, ChainDeclaration, ChainSchedule, TaskDeclaration } from './declaration';
export { ChainGraph } from './graph';
export type { TaskRunStatus, TaskState } from './graph';
export { TaskChain } from './task-chain';
export type { TaskChainProps } from './task-chain';
export { chainTopicName, taskFilters, ChainEventType } from '../../lambdas/runtime/chain/events';
export { RerunRefusedError } from '../../lambdas/runtime/chain/errors';
export type { ResultPointer } from '../../lambdas/runtime/chain/events';
export { ChainClient } from './client';
export type { ChainClientOptions } from './client';
export { CHAIN_METADATA_KEY, chainsInTemplate } from './chain-metadata';
export type { ChainMetadata, RecordedChain } from './chain-metadata';
