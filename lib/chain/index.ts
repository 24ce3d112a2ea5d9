export * from './declaration';
export * from './graph';
export * from './task-chain';
export { chainTopicName, taskFilters, ChainEventType } from '../../lambdas/runtime/chain/events';
export { RerunRefusedError } from '../../lambdas/runtime/chain/errors';
export type { ResultPointer } from '../../lambdas/runtime/chain/events';
export * from './client';
