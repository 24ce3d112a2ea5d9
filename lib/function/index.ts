export { createFunction, defaultFunctionProps } from './project-function';
export type { DefaultFunctionOptions } from './project-function';
