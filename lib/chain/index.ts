export * from './declaration';
export * from './graph';
export * from './task-chain';
export { chainTopicName, taskFilters, ChainEventType } from '../../lambdas/runtime/chain/events';
export { RerunRefusedError } from '../../lambdas/runtime/chain/errors';
export type { ResultPointer } from '../../lambdas/runtime/chain/events';
export * from './client';
export { CHAIN_METADATA_KEY, chainsInTemplate } from './chain-metadata';
export type { ChainMetadata, RecordedChain } from './chain-metadata';
