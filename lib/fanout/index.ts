export * from './fanout-topic';
