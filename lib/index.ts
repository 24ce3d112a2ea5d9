// Public API of the construct library (`import { … } from 'msk-event-pipelines'`). Each area
// exports from its own index. The example app (lib/examples) is to copy, not to import; the
// runtime and local mode have entry points of their own ('msk-event-pipelines/runtime',
// 'msk-event-pipelines/local').
export * from './cluster';
export * from './topic';
export * from './consumer';
export * from './function';
export * from './chain';
export * from './fanout';
export * from './gateway';
export * from './http';
export * from './checks';
