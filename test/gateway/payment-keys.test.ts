import { createPublicKey, createSign, createVerify } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { provisionPaymentKeys } from '../../lib/examples/payment-keys';
import { SecretsStandIn } from '../../lib/local/emulator/secrets';

/** bin/provision-payment-keys.ts: one key set into both secrets, so that the provider's signatures verify at the gateway. */
describe('provisionPaymentKeys', () => {
  let standIn: SecretsStandIn;
  let client: SecretsManagerClient;
  const gatewaySecretArn = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:GatewayWechatPaySecret-AbCdEf';
  const providerSecretArn = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:SimulatedProviderKeys-AbCdEf';

  beforeAll(async () => {
    // The Secrets Manager stand-in the emulator runs: the real SDK client speaks to it over HTTP.
    standIn = await SecretsStandIn.start([{ name: 'gateway', arn: gatewaySecretArn }, { name: 'provider', arn: providerSecretArn }]);
    client = new SecretsManagerClient({ endpoint: standIn.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });

  test('GIVEN the two secrets WHEN keys are provisioned THEN a signature by the provider\'s key verifies with the gateway\'s key of that serial', async () => {
    // WHEN
    const serial = await provisionPaymentKeys(client, { gatewaySecretArn, providerSecretArn });
    // THEN
    const byArn = Object.fromEntries(standIn.list().map((s) => [s.arn, JSON.parse(s.value)]));
    const provider = byArn[providerSecretArn];
    const gateway = byArn[gatewaySecretArn];
    expect(provider.serial).toBe(serial);
    expect(provider.apiV3Key).toHaveLength(32);
    expect(gateway.apiV3Key).toBe(provider.apiV3Key);
    const message = '1700000000\nnonce\n{"a":1}\n';
    const signature = createSign('RSA-SHA256').update(message).sign(provider.privateKey, 'base64');
    expect(createVerify('RSA-SHA256').update(message).verify(createPublicKey(gateway.platformCertificates[serial]), signature, 'base64')).toBe(true);
  });
});
