import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes, type Admin, type AclEntry, type AclFilter } from 'kafkajs';
import { aclKey, type KafkaAcl, type KafkaPrincipalAcls } from './derive';

/** What `applyKafkaAcls` changed on the broker. */
export interface AppliedAcls {
  readonly created: number;
  readonly deleted: number;
}

/** How long the broker gets to show created ACLs in DescribeAcls (its authorizer applies them from the metadata log). */
const VISIBLE_TIMEOUT_MS = 10_000;

/**
 * Makes the broker's ACLs of each principal exactly `desired`: creates the missing bindings and
 * deletes the principal's others (left by an earlier run of a changed app). Resolves once the
 * broker's authorizer lists them, so that a function started next is already held to them.
 * Through a super-user client (the all-access listener).
 */
export async function applyKafkaAcls(admin: Admin, desired: readonly KafkaPrincipalAcls[]): Promise<AppliedAcls> {
  let created = 0;
  let deleted = 0;
  for (const { principal, acls } of desired) {
    const existing = await principalAcls(admin, principal);
    const wanted = new Set(acls.map(aclKey));
    const stale = existing.filter((acl) => !wanted.has(aclKey(acl)));
    const have = new Set(existing.map(aclKey));
    const missing = acls.filter((acl) => !have.has(aclKey(acl)));
    if (stale.length > 0) {
      await admin.deleteAcls({ filters: stale.map(toEntry) });
      deleted += stale.length;
    }
    if (missing.length > 0) {
      await admin.createAcls({ acl: missing.map(toEntry) });
      created += missing.length;
    }
  }
  await waitUntilListed(admin, desired);
  return { created, deleted };
}

/** The literal ACL bindings the broker holds for `principal` (host `*`). */
async function principalAcls(admin: Admin, principal: string): Promise<KafkaAcl[]> {
  const response = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return response.resources.flatMap((resource) => resource.acls.map((acl) => ({
    principal: acl.principal,
    resourceType: nameOf(AclResourceTypes, resource.resourceType) as KafkaAcl['resourceType'],
    resourceName: resource.resourceName,
    operation: nameOf(AclOperationTypes, acl.operation) as KafkaAcl['operation'],
    permission: nameOf(AclPermissionTypes, acl.permissionType) as KafkaAcl['permission'],
  })));
}

/** The name of a kafkajs enum value (its runtime objects map names to codes only). */
function nameOf(values: object, code: number): string {
  return Object.entries(values).find(([, value]) => value === code)?.[0] ?? String(code);
}

async function waitUntilListed(admin: Admin, desired: readonly KafkaPrincipalAcls[]): Promise<void> {
  const deadline = Date.now() + VISIBLE_TIMEOUT_MS;
  for (const { principal, acls } of desired) {
    for (;;) {
      const listed = new Set((await principalAcls(admin, principal)).map(aclKey));
      const absent = acls.filter((acl) => !listed.has(aclKey(acl)));
      if (absent.length === 0) break;
      if (Date.now() > deadline) throw new Error(`Kafka ACLs of ${principal} not listed by the broker ${VISIBLE_TIMEOUT_MS} ms after their creation: ${absent.map(aclKey).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function toEntry(acl: KafkaAcl): AclEntry & AclFilter {
  return {
    resourceType: AclResourceTypes[acl.resourceType],
    resourceName: acl.resourceName,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    principal: acl.principal,
    host: '*',
    operation: AclOperationTypes[acl.operation],
    permissionType: AclPermissionTypes[acl.permission],
  };
}
