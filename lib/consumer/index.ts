export * from './dead-letter';
export * from '../function/project-function';
export * from './kafka-consumer';
export * from './latency-profile';
