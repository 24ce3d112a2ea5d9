// Public API of the construct library. Each area exports from its own index.
export * from './cluster';
export * from './topic';
export * from './consumer';
export * from './chain';
export * from './fanout';
export * from './gateway';
export * from './http';
export * from './checks';
export * from './examples';
