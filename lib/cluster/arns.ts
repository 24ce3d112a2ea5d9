import { Arn, ArnFormat, Fn, Token } from 'aws-cdk-lib';

/**
 * MSK data-plane ARNs are built from the cluster ARN
 * `arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`:
 * topics are `.../topic/<name>/<uuid>/<topic>`, groups `.../group/<name>/<uuid>/<group>`.
 * Works for tokens too (CloudFormation splits the ARN at deploy time).
 */
export function mskResourceArn(clusterArn: string, kind: 'topic' | 'group', name: string): string {
  if (!Token.isUnresolved(clusterArn)) {
    const parts = Arn.split(clusterArn, ArnFormat.SLASH_RESOURCE_SLASH_RESOURCE_NAME);
    return `arn:${parts.partition}:kafka:${parts.region}:${parts.account}:${kind}/${parts.resourceName}/${name}`;
  }
  // ['arn:aws:kafka:r:a:cluster', '<name>', '<uuid>']
  const slash = Fn.split('/', clusterArn);
  const head = Fn.select(0, slash);
  const colon = Fn.split(':', head);
  return Fn.join('', [
    'arn:', Fn.select(1, colon), ':kafka:', Fn.select(3, colon), ':', Fn.select(4, colon), ':',
    kind, '/', Fn.select(1, slash), '/', Fn.select(2, slash), '/', name,
  ]);
}

/** Cluster name from a concrete ARN; `undefined` when the ARN is a token. */
export function clusterNameFromArn(clusterArn: string): string | undefined {
  if (Token.isUnresolved(clusterArn)) return undefined;
  const name = clusterArn.split('/')[1];
  return name && name.length > 0 ? name : undefined;
}
