export * from './cluster-kind';
export * from './kafka-cluster';
export * from './network';
export * from './self-managed-auth';
export { mskResourceArn } from './arns';
export * from './bootstrap-brokers';
