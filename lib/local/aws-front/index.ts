export { AwsFront } from './aws-front';
export type { AwsFrontOptions } from './aws-front';
export { accessDenied } from './denial';
export { serviceCalls, signerOf } from './service-calls';
export type { FrontService, ServiceCall } from './service-calls';
export { startAwsFront } from './attach';
