export { deniedMessage, PolicySimulationError, RoleAuthorizer } from './role-authorizer';
export type { Authorization, AuthorizationDenied, AuthorizationRequest } from './role-authorizer';
export { assemblyRoles } from './role-policies';
export type { AssemblyRoles, FunctionRole, RolePolicy } from './role-policies';
export { awsManagedPolicy, UnknownAwsManagedPolicyError } from './aws-managed-policies';
export type { PolicyDocument } from './aws-managed-policies';
