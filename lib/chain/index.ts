export * from './declaration';
export * from './graph';
export * from './task-chain';
export { chainTopicName, taskFilters, ChainEventType } from '../../lambdas/chain/events';
export type { ResultPointer } from '../../lambdas/chain/events';
export * from './client';
