import * as path from 'node:path';
import { assemblyResolver, readStacks } from '../emulator/assembly';
import { LOCAL_ACCOUNT, LocalEndpoints } from '../emulator/model';
import type { LocalSecret } from '../emulator/secrets';
import { RoleAuthorizer } from '../iam';
import type { EmulatorLogger } from '../emulator/logger';
import { AwsFront } from './aws-front';

/** What the emulator gives the front. */
export interface AttachAwsFrontOptions {
  /** The cloud assembly directory. */
  readonly assemblyDir: string;
  /** The local endpoints references resolve to (ARNs depend on the region only). */
  readonly local: LocalEndpoints;
  /** The secrets of the Secrets Manager stand-in, once it runs (a `SecretId` given by name → its ARN). */
  readonly secrets: () => readonly LocalSecret[];
  /** Receives the front's entries: what it cannot evaluate, and each denial. */
  readonly logger: EmulatorLogger;
}

/**
 * Starts the AWS front for an assembly: the roles of all its functions (every stack: a role may sit
 * in a stack the run does not select), logging what it cannot evaluate (a role the assembly does
 * not define, a managed policy it does not create).
 */
export async function startAwsFront(options: AttachAwsFrontOptions): Promise<AwsFront> {
  const stacks = readStacks(path.resolve(options.assemblyDir), new Map());
  const authorizer = RoleAuthorizer.fromStacks(stacks, assemblyResolver(stacks, options.local));
  for (const warning of authorizer.assembly.warnings) options.logger.warn('role policy not evaluated', { reason: warning });
  for (const [fn, role] of authorizer.assembly.external) options.logger.warn('role not defined by the assembly: its calls are not evaluated', { function: fn, role });
  return AwsFront.start({
    authorizer,
    functionNames: [...authorizer.assembly.roles.keys(), ...authorizer.assembly.external.keys()],
    secretArnOf: (id, region) => options.secrets().find((s) => s.name === id)?.arn ?? `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT}:secret:${id}`,
    logger: options.logger,
  });
}
