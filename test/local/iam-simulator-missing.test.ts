import { IamSimulatorMissingError, RoleAuthorizer } from '../../lib/local/iam/role-authorizer';
import type { AssemblyRoles } from '../../lib/local/iam/role-policies';

// The evaluator as a project without the optional peer dependency has it: not installed.
jest.mock('@cloud-copilot/iam-simulate', () => {
  throw new Error("Cannot find module '@cloud-copilot/iam-simulate'");
});

describe('RoleAuthorizer without @cloud-copilot/iam-simulate', () => {
  test('stops when enforcement starts, naming the package and how to turn enforcement off', () => {
    // GIVEN an assembly with no roles (the evaluator is needed before any call)
    const assembly: AssemblyRoles = { roles: new Map(), external: new Map(), warnings: [] };

    // WHEN enforcement builds its authorizer THEN the error says what to install or turn off, cause kept
    let error: unknown;
    try {
      new RoleAuthorizer(assembly);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IamSimulatorMissingError);
    expect((error as Error).message).toMatch(/npm install --save-dev @cloud-copilot\/iam-simulate/);
    expect((error as Error).message).toMatch(/AGPL-3\.0-or-later/);
    expect((error as Error).message).toMatch(/enforceIam: false and enforceKafkaAcls: false/);
    expect(((error as Error).cause as Error).message).toMatch(/Cannot find module/);
  });
});
