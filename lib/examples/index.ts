export * from './app';
export * from './chain-stacks';
export * from './foundation-stack';
export * from './nag';
export * from './payment-stack';
