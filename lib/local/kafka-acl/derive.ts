import { CONNECT_ACTION, KAFKA_CLUSTER_ACTIONS, KafkaOperation, KafkaResourceKind, mskDataPlaneArn } from './kafka-actions';

/** Whether a function's role allows an action on a resource (the IAM evaluator, lib/local/iam). */
export type IsAllowed = (functionName: string, action: string, resourceArn: string) => Promise<boolean>;

/** A function that reaches the brokers with MSK IAM authentication, as itself or through its mapping. */
export interface KafkaPrincipal {
  /** The function's physical name. */
  readonly functionName: string;
  /** Its Kafka principal: `User:<the access key id it signs with>`. */
  readonly principal: string;
  /** The MSK clusters it connects to (its `KAFKA_CLUSTER_ARN`, its mappings' event source). */
  readonly clusterArns: readonly string[];
}

/** The named topics, groups and transactional ids the assembly uses; everything else is covered by `*` only. */
export interface KafkaAclScope {
  readonly topics: readonly string[];
  readonly groups: readonly string[];
  /** @default none */
  readonly transactionalIds?: readonly string[];
}

/** One Kafka ACL binding (kafkajs `AclOperationTypes` / `AclResourceTypes` names). */
export interface KafkaAcl {
  readonly principal: string;
  readonly resourceType: 'CLUSTER' | 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID';
  /** A literal name, or `*` for every resource of the type. */
  readonly resourceName: string;
  readonly operation: KafkaOperation;
  readonly permission: 'ALLOW' | 'DENY';
}

/** What the derivation found for one principal. */
export interface KafkaPrincipalAcls {
  readonly functionName: string;
  readonly principal: string;
  readonly acls: KafkaAcl[];
  /** Clusters whose `kafka-cluster:Connect` the role lacks (MSK refuses its connections there). */
  readonly connectDenied: string[];
}

const RESOURCE_TYPE: Record<KafkaResourceKind, KafkaAcl['resourceType']> = {
  cluster: 'CLUSTER',
  topic: 'TOPIC',
  group: 'GROUP',
  'transactional-id': 'TRANSACTIONAL_ID',
};

/** Kafka's one cluster resource name. */
const CLUSTER_RESOURCE = 'kafka-cluster';

/**
 * The name asked for to learn whether a role allows every name (`…/*`): one no topic, group or
 * transactional id is given, so that only a wildcard grant covers it. Not the literal `*`, which
 * the evaluator takes as a wildcard in the request too, matching any single name a role allows.
 */
export const ANY_NAME_PROBE = '__any-name-probe__';

/**
 * The Kafka ACLs equivalent to each principal's role, action by action from AWS's table
 * (kafka-actions.ts), asking `isAllowed` for the cluster, for each named topic, group and
 * transactional id of `scope`, and for a name nothing is called ({@link ANY_NAME_PROBE}):
 * - that one allowed (a grant on `…/topic/<cluster>/<uuid>/*` or wider) → ALLOW on `*`, and
 *   DENY on each named one the role does not allow (a Deny statement, or a narrower grant);
 * - else → ALLOW on each named one it allows. A prefix grant (`…/orders-*`) thus covers the
 *   assembly's matching topics, not topics created later.
 * Nothing for a cluster whose `kafka-cluster:Connect` the role lacks: every other action requires it.
 */
export async function deriveKafkaAcls(principals: readonly KafkaPrincipal[], scope: KafkaAclScope, isAllowed: IsAllowed): Promise<KafkaPrincipalAcls[]> {
  const names: Record<Exclude<KafkaResourceKind, 'cluster'>, readonly string[]> = {
    topic: unique(scope.topics),
    group: unique(scope.groups),
    'transactional-id': unique(scope.transactionalIds ?? []),
  };
  return Promise.all(principals.map(async (p) => {
    const acls = new Map<string, KafkaAcl>();
    const add = (acl: Omit<KafkaAcl, 'principal'>) => {
      const full = { principal: p.principal, ...acl };
      acls.set(aclKey(full), full);
    };
    const connectDenied: string[] = [];
    for (const clusterArn of unique(p.clusterArns)) {
      if (!(await isAllowed(p.functionName, CONNECT_ACTION, clusterArn))) {
        connectDenied.push(clusterArn);
        continue;
      }
      for (const { action, resource, operation } of KAFKA_CLUSTER_ACTIONS) {
        const resourceType = RESOURCE_TYPE[resource];
        if (resource === 'cluster') {
          if (await isAllowed(p.functionName, action, clusterArn)) add({ resourceType, resourceName: CLUSTER_RESOURCE, operation, permission: 'ALLOW' });
          continue;
        }
        const arnOf = (name: string) => mskDataPlaneArn(clusterArn, resource, name);
        const everyName = await isAllowed(p.functionName, action, arnOf(ANY_NAME_PROBE));
        if (everyName) add({ resourceType, resourceName: '*', operation, permission: 'ALLOW' });
        for (const name of names[resource]) {
          const allowed = await isAllowed(p.functionName, action, arnOf(name));
          if (allowed !== everyName) add({ resourceType, resourceName: name, operation, permission: allowed ? 'ALLOW' : 'DENY' });
        }
      }
    }
    return { functionName: p.functionName, principal: p.principal, acls: [...acls.values()].sort(compareAcls), connectDenied };
  }));
}

/** A stable identity of an ACL binding, to compare desired and existing ones. */
export function aclKey(acl: KafkaAcl): string {
  return [acl.principal, acl.resourceType, acl.resourceName, acl.operation, acl.permission].join('|');
}

function compareAcls(a: KafkaAcl, b: KafkaAcl): number {
  return aclKey(a) < aclKey(b) ? -1 : aclKey(a) > aclKey(b) ? 1 : 0;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
