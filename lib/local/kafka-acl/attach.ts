import * as fs from 'fs';
import * as path from 'path';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { signMskIamToken } from '../../../lambdas/runtime/msk-iam-token';
import { assemblyResolver, readStacks } from '../emulator/assembly';
import { accessKeyIdOf, LOCAL_SECRET_ACCESS_KEY } from '../emulator/environment';
import type { AssemblyModel, LocalEndpoints, MappingModel } from '../emulator/model';
import type { LocalBrokerTls } from '../emulator/worker-protocol';
import type { EmulatorLogger } from '../emulator/logger';
import { RoleAuthorizer } from '../iam';
import { mayAllow } from './action-filter';
import { applyKafkaAcls } from './apply';
import { deriveKafkaAcls, type KafkaPrincipal, type KafkaPrincipalAcls } from './derive';
import { KafkaEnv } from '../../../lambdas/runtime/kafka-env';

/** The broker's SASL_SSL listener, as the local services give it. */
export interface KafkaIamListener {
  /** `host:port[,host:port]`. */
  readonly brokers: string;
  /** Its certificate (PEM file). */
  readonly caFile: string;
}

/**
 * Lambda's poller on an MSK cluster with IAM access control authenticates with the function's
 * execution role: an event source mapping without an authentication secret on such a cluster.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
 */
export function pollsWithIam(mapping: MappingModel): boolean {
  return mapping.eventSource === 'aws:kafka';
}

/** The Kafka principal a function is on the IAM listener: `User:<the access key id it signs with>`. */
export function kafkaPrincipalOf(functionName: string): string {
  return `User:${accessKeyIdOf(functionName)}`;
}

/**
 * Kafka ACL enforcement for one emulator run: derives each IAM function's ACLs from its role
 * (lib/local/iam) and applies them to the broker; gives the mapping pollers their clients.
 */
export class KafkaAclEnforcement {
  /** `listener`'s certificate, and the ports the function workers trust it on. */
  readonly brokerTls: LocalBrokerTls;

  constructor(readonly listener: KafkaIamListener, private readonly region: string) {
    this.brokerTls = {
      ports: listener.brokers.split(',').map((broker) => Number(broker.trim().split(':').pop())),
      ca: fs.readFileSync(listener.caFile, 'utf8'),
    };
  }

  /**
   * Derives and applies the ACLs of the assembly's IAM principals (functions with `KAFKA_AUTH=iam`,
   * functions of mappings on MSK). `admin` must be a super-user client (the plaintext listener).
   */
  async apply(options: { assemblyDir: string; local: LocalEndpoints; model: AssemblyModel; admin: Admin; logger: EmulatorLogger }): Promise<KafkaPrincipalAcls[]> {
    const started = Date.now();
    const stacks = readStacks(path.resolve(options.assemblyDir), new Map());
    const authorizer = RoleAuthorizer.fromStacks(stacks, assemblyResolver(stacks, options.local));
    const { model } = options;
    const principals = iamPrincipals(model);
    for (const p of principals) {
      if (!authorizer.governs(p.functionName)) options.logger.warn('role not defined by the assembly: all Kafka access allowed', { function: p.functionName });
    }
    const derived = await deriveKafkaAcls(principals, {
      topics: [...model.topics.map((t) => t.name), ...model.mappings.flatMap((m) => [...m.topics, ...(m.onFailure?.kind === 'kafka' ? [m.onFailure.topic] : [])])],
      groups: model.mappings.map((m) => m.consumerGroupId),
    }, async (functionName, action, resource) => {
      const role = authorizer.roleOf(functionName);
      if (!role) return true;
      return mayAllow(role, action, resource) && (await authorizer.authorize({ functionName, action, resource })).allowed;
    });
    const derivedAt = Date.now();
    const applied = await applyKafkaAcls(options.admin, derived);
    for (const p of derived) {
      if (p.connectDenied.length > 0) options.logger.warn('no kafka-cluster:Connect: every request is denied', { function: p.functionName, clusters: p.connectDenied.join(',') });
    }
    options.logger.info('ACLs applied', {
      acls: derived.reduce((n, p) => n + p.acls.length, 0), principals: derived.length, created: applied.created, removed: applied.deleted,
      deriveMs: derivedAt - started, applyMs: Date.now() - derivedAt,
    });
    return derived;
  }

  /** A client of the IAM listener signing as `functionName` (a mapping's poller). */
  clientFor(functionName: string, clientId: string): Kafka {
    const config: KafkaConfig = {
      clientId,
      brokers: this.listener.brokers.split(','),
      logLevel: logLevel.NOTHING,
      ssl: { ca: [this.brokerTls.ca] },
      sasl: {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({
          value: signMskIamToken(this.region, { accessKeyId: accessKeyIdOf(functionName), secretAccessKey: LOCAL_SECRET_ACCESS_KEY }).token,
        }),
      },
    };
    return new Kafka(config);
  }
}

/** The functions that reach the brokers with IAM, and the clusters each one connects to. */
function iamPrincipals(model: AssemblyModel): KafkaPrincipal[] {
  const clusters = new Map<string, Set<string>>();
  const add = (functionName: string, clusterArn: string | undefined) => {
    const set = clusters.get(functionName) ?? new Set<string>();
    if (clusterArn) set.add(clusterArn);
    clusters.set(functionName, set);
  };
  const mskClusters = [...new Set(model.mappings.filter(pollsWithIam).map((m) => m.eventSourceArn).filter((arn): arn is string => !!arn))];
  for (const fn of model.functions) {
    if (fn.environment[KafkaEnv.KAFKA_AUTH] !== 'iam') continue;
    if (fn.environment[KafkaEnv.KAFKA_CLUSTER_ARN]) add(fn.name, fn.environment[KafkaEnv.KAFKA_CLUSTER_ARN]);
    else for (const arn of mskClusters) add(fn.name, arn);
  }
  for (const m of model.mappings.filter(pollsWithIam)) add(m.functionName, m.eventSourceArn);
  return [...clusters].map(([functionName, arns]) => ({ functionName, principal: kafkaPrincipalOf(functionName), clusterArns: [...arns] }));
}
