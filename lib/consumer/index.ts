export * from './dead-letter';
export * from './function-defaults';
export * from './kafka-consumer';
export * from './latency-profile';
