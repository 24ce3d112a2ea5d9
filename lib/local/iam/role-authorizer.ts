import type { runSimulation as RunSimulation } from '@cloud-copilot/iam-simulate';
import { LOCAL_ACCOUNT } from '../emulator/model';
import type { Resolver, ResolverStack } from '../emulator/resolve';
import { AssemblyRoles, assemblyRoles, FunctionRole } from './role-policies';

/** A data-plane call one function makes. */
export interface AuthorizationRequest {
  /** The function's physical name (as the emulator names it). */
  readonly functionName: string;
  /** The IAM action, e.g. `dynamodb:PutItem`, `kafka-cluster:WriteData`. */
  readonly action: string;
  /** The resource ARN the action is on (local ARNs, as the resolver builds them). */
  readonly resource: string;
  /** Request context keys the caller knows (e.g. `dynamodb:LeadingKeys`). @default none */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

/** A decision: allowed, or denied with the message AWS gives for it. */
export type Authorization = { readonly allowed: true } | AuthorizationDenied;

/** A denial: AWS's message, and what it is made of (a front may word it as its service does). */
export interface AuthorizationDenied {
  readonly allowed: false;
  readonly message: string;
  /** The principal the call was made as (`arn:aws:sts::<account>:assumed-role/<role>/<function>`). */
  readonly principal: string;
  /** A Deny statement matched (else no statement allowed). */
  readonly explicit: boolean;
}

/** A policy of the assembly that iam-simulate cannot evaluate (invalid document, unknown action, ARN of the wrong type). */
export class PolicySimulationError extends Error {
  constructor(request: AuthorizationRequest, role: string, errors: unknown) {
    super(`IAM evaluation of ${request.action} on ${request.resource} for function ${request.functionName} (role ${role}) failed: ${JSON.stringify(errors)}`);
    this.name = 'PolicySimulationError';
  }
}

/** The package that evaluates policies: an optional peer dependency (see {@link loadSimulator}). */
export const IAM_SIMULATOR_PACKAGE = '@cloud-copilot/iam-simulate';

/** IAM enforcement is on but its evaluator is not installed. */
export class IamSimulatorMissingError extends Error {
  constructor(cause: unknown) {
    super(`IAM enforcement in local mode evaluates role policies with ${IAM_SIMULATOR_PACKAGE}, which is not installed. `
      + `It is licensed AGPL-3.0-or-later, so this package (Apache-2.0) does not install it for you: `
      + `\`npm install --save-dev ${IAM_SIMULATOR_PACKAGE}\` to enforce IAM and Kafka ACLs locally, `
      + 'or turn both off (EmulatorOptions enforceIam: false and enforceKafkaAcls: false; --no-iam-enforcement --no-kafka-acl-enforcement on run and demo).', { cause });
    this.name = 'IamSimulatorMissingError';
  }
}

/**
 * The evaluator, loaded when local mode first needs it rather than when this module is imported:
 * `@cloud-copilot/iam-simulate` is AGPL-3.0-or-later, so it is an optional peer dependency that
 * users of local mode opt into (this repository installs it as a dev dependency for its tests).
 */
export function loadSimulator(): typeof RunSimulation {
  try {
    return (require(IAM_SIMULATOR_PACKAGE) as { runSimulation: typeof RunSimulation }).runSimulation;
  } catch (err) {
    throw new IamSimulatorMissingError(err);
  }
}

/**
 * Decides each function's data-plane calls as IAM would from the identity-based policies of its
 * role (lib/local/iam/role-policies.ts), with `@cloud-copilot/iam-simulate` doing the evaluation
 * (Deny wins, wildcards, conditions on the context keys given). Decisions are cached per
 * (function, action, resource, context): policies do not change during a run.
 *
 * Not evaluated: resource-based policies, SCPs/RCPs, permission boundaries, session policies
 * (the templates do not hold them, or Lambda's role session has none).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export class RoleAuthorizer {
  /** The roles of the assembly's functions (`stacks`), their references resolved by `resolver`. */
  static fromStacks(stacks: readonly ResolverStack[], resolver: Resolver): RoleAuthorizer {
    return new RoleAuthorizer(assemblyRoles(stacks, resolver));
  }

  private readonly decisions = new Map<string, Promise<Authorization>>();
  /** Loaded here so that a missing evaluator fails when enforcement starts, not at the first call. */
  private readonly runSimulation = loadSimulator();

  constructor(readonly assembly: AssemblyRoles) {}

  /** Whether `functionName` is a function of the assembly whose role the templates define. */
  governs(functionName: string): boolean {
    return this.assembly.roles.has(functionName);
  }

  /** The function's role (undefined for an unknown function or an imported role). */
  roleOf(functionName: string): FunctionRole | undefined {
    return this.assembly.roles.get(functionName);
  }

  /**
   * The principal a function's calls are made as: Lambda assumes the role with the function's name
   * as session name.
   * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
   */
  principalOf(functionName: string): string {
    const role = this.requireRole(functionName);
    return `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${role.roleName}/${functionName}`;
  }

  /** The decision for one call; throws for a function it does not {@link governs govern}. */
  authorize(request: AuthorizationRequest): Promise<Authorization> {
    const key = JSON.stringify([request.functionName, request.action, request.resource, request.context ?? null]);
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = this.evaluate(request);
      this.decisions.set(key, decision);
      // A failed evaluation is not cached: the next call reports it again.
      decision.catch(() => this.decisions.delete(key));
    }
    return decision;
  }

  /** Every call of `requests` allowed, else the first denial (AWS names one action and resource). */
  async authorizeAll(requests: readonly AuthorizationRequest[]): Promise<Authorization> {
    const decisions = await Promise.all(requests.map((r) => this.authorize(r)));
    return decisions.find((d) => !d.allowed) ?? { allowed: true };
  }

  private async evaluate(request: AuthorizationRequest): Promise<Authorization> {
    const role = this.requireRole(request.functionName);
    const principal = this.principalOf(request.functionName);
    const result = await this.runSimulation({
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document as any })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal,
        resource: { accountId: LOCAL_ACCOUNT, resource: request.resource },
        contextVariables: { ...(request.context as Record<string, string | string[]> | undefined) },
      },
    }, {});
    if (result.resultType === 'error') throw new PolicySimulationError(request, role.roleName, result.errors);
    if (result.overallResult === 'Allowed') return { allowed: true };
    const explicit = result.overallResult === 'ExplicitlyDenied';
    return { allowed: false, message: deniedMessage(principal, request, explicit), principal, explicit };
  }

  private requireRole(functionName: string): FunctionRole {
    const role = this.assembly.roles.get(functionName);
    if (!role) {
      const external = this.assembly.external.get(functionName);
      throw new Error(external !== undefined
        ? `RoleAuthorizer: function ${functionName} runs as ${external}, a role the assembly does not define: its policies are unknown`
        : `RoleAuthorizer: no function ${functionName} in the assembly (functions: ${[...this.assembly.roles.keys()].join(', ')})`);
    }
    return role;
  }
}

/**
 * AWS's access-denied message for an identity-based decision.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export function deniedMessage(principal: string, request: Pick<AuthorizationRequest, 'action' | 'resource'>, explicit: boolean): string {
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${request.action} action`;
  return `User: ${principal} is not authorized to perform: ${request.action} on resource: ${request.resource} ${why}`;
}
