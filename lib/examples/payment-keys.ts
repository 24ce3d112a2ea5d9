import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** A WeChat Pay platform key pair with its serial, and the API v3 key both sides share. */
export interface PaymentKeys {
  readonly serial: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
  readonly apiV3Key: string;
}

/** A new key pair (RSA 2048, as WeChat Pay platform keys), serial and API v3 key. */
export function generatePaymentKeys(): PaymentKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    serial: randomBytes(20).toString('hex').toUpperCase(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    apiV3Key: randomBytes(16).toString('hex'),
  };
}

/** The gateway's WeChat Pay secret: the platform public key by serial, and the API v3 key. */
export function gatewaySecretValue(keys: PaymentKeys): Record<string, unknown> {
  return { platformCertificates: { [keys.serial]: keys.publicKeyPem }, apiV3Key: keys.apiV3Key };
}

/** The simulated provider's secret: the private half, its serial and the API v3 key. */
export function providerSecretValue(keys: PaymentKeys): Record<string, unknown> {
  return { serial: keys.serial, privateKey: keys.privateKeyPem, apiV3Key: keys.apiV3Key };
}

/**
 * Writes one new key set into the gateway's WeChat Pay secret and the simulated provider's secret,
 * so that the provider's notifications verify at the gateway. Returns the serial (never the keys).
 */
export async function provisionPaymentKeys(client: SecretsManagerClient, secrets: { gatewaySecretArn: string; providerSecretArn: string }): Promise<string> {
  const keys = generatePaymentKeys();
  await client.send(new PutSecretValueCommand({ SecretId: secrets.gatewaySecretArn, SecretString: JSON.stringify(gatewaySecretValue(keys)) }));
  await client.send(new PutSecretValueCommand({ SecretId: secrets.providerSecretArn, SecretString: JSON.stringify(providerSecretValue(keys)) }));
  return keys.serial;
}
