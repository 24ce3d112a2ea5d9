import type { ResourceView, Rule } from '../rule';

/** MSK clusters the app creates that accept clients without IAM or without TLS. */
export const MskClusterIamTls: Rule = {
  name: 'MskClusterIamTls',
  info: 'The MSK cluster does not require IAM client authentication over TLS: IAM is off, unauthenticated access is on, or client-broker or in-cluster traffic may be plaintext.',
  explanation: 'The constructs grant kafka-cluster:* actions per topic and consumer group; those grants mean something only when clients authenticate with IAM, which MSK serves over TLS only. Unauthenticated or plaintext access lets anything in the network read and write every topic. See https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html and https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html',
  severity: 'error',
  resourceTypes: ['AWS::MSK::Cluster', 'AWS::MSK::ServerlessCluster'],
  check(cluster: ResourceView): string[] {
    const p = cluster.properties;
    const auth = p.ClientAuthentication ?? {};
    const problems: string[] = [];
    if (!isTrue(auth.Sasl?.Iam?.Enabled)) problems.push('IAM client authentication is not enabled (ClientAuthentication.Sasl.Iam.Enabled)');
    if (cluster.type === 'AWS::MSK::ServerlessCluster') return problems; // always TLS, no other authentication
    if (isTrue(auth.Unauthenticated?.Enabled)) problems.push('unauthenticated access is enabled (ClientAuthentication.Unauthenticated.Enabled)');
    const inTransit = p.EncryptionInfo?.EncryptionInTransit ?? {};
    // MSK's defaults are TLS and true: only an explicit other value weakens them.
    if (inTransit.ClientBroker !== undefined && inTransit.ClientBroker !== 'TLS') problems.push(`client-broker traffic allows plaintext (EncryptionInTransit.ClientBroker ${JSON.stringify(inTransit.ClientBroker)}, not "TLS")`);
    if (inTransit.InCluster !== undefined && !isTrue(inTransit.InCluster)) problems.push('traffic between brokers is not encrypted (EncryptionInTransit.InCluster false)');
    return problems;
  },
};

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}
