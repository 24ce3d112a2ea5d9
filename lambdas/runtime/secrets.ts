import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { serviceEndpoint } from './env';

let client: SecretsManagerClient | undefined;

/**
 * One Secrets Manager client per execution environment, created at the first call (secrets are
 * read on rare paths: a gateway key's TTL, SCRAM credentials), so functions that never read one
 * do not load the client at init.
 */
export function getSecretsManagerClient(): SecretsManagerClient {
  client ??= new SecretsManagerClient(serviceEndpoint(process.env, 'SECRETS_MANAGER'));
  return client;
}

/** The `SecretString` of `secretId` (GetSecretValue); throws when the secret has none (a binary secret). */
export async function loadSecretString(secretId: string): Promise<string> {
  const result = await getSecretsManagerClient().send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!result.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
  return result.SecretString;
}
