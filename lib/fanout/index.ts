export * from './fanout-topic';
export * from './imported-topic';
