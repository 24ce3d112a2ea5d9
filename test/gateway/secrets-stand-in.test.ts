import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { placeholderValue, SecretsStandIn } from '../../lib/local/emulator/secrets';

describe('SecretsStandIn', () => {
  let standIn: SecretsStandIn;
  let client: SecretsManagerClient;
  const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:WechatPaySecret';

  beforeAll(async () => {
    standIn = await SecretsStandIn.start([{
      name: 'WechatPaySecret', arn,
      properties: { GenerateSecretString: { SecretStringTemplate: '{"platformCertificates":{}}', GenerateStringKey: 'apiV3Key', PasswordLength: 32, ExcludePunctuation: true } },
    }]);
    client = new SecretsManagerClient({ endpoint: standIn.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });

  test('GIVEN a template secret with GenerateSecretString THEN the SDK reads a placeholder of that shape by ARN and by name', async () => {
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const value = JSON.parse(byArn.SecretString!);
    expect(value.platformCertificates).toEqual({});
    expect(value.apiV3Key).toMatch(/^[A-Za-z0-9]{32}$/);
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'WechatPaySecret' }));
    expect(byName.ARN).toBe(arn);
  });

  test('GIVEN put(name, object) THEN GetSecretValue returns the new JSON', async () => {
    standIn.put('WechatPaySecret', { apiV3Key: 'k'.repeat(32), platformCertificates: { S1: 'pem' } });
    const result = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    expect(JSON.parse(result.SecretString!).platformCertificates).toEqual({ S1: 'pem' });
  });

  test('GIVEN an unknown secret THEN the SDK throws ResourceNotFoundException', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  test('GIVEN no template THEN placeholderValue is a password honouring exclusions', () => {
    expect(placeholderValue({ PasswordLength: 20, ExcludePunctuation: true, ExcludeCharacters: 'aA' })).toMatch(/^[b-zB-Z0-9]{20}$/);
  });
});
