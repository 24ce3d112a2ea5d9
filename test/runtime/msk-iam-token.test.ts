import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { kafkaConfig } from '../../lambdas/runtime/kafka-client';
import { mskIamToken, signMskIamToken } from '../../lambdas/runtime/msk-iam-token';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+with=chars' };
const signingDate = new Date('2026-11-30T09:41:07Z');

/** The presigned URL inside a token, with the signer's own User-Agent left out (each names itself). */
function presignedUrl(token: string): URL {
  const url = new URL(Buffer.from(token, 'base64url').toString('utf-8'));
  url.searchParams.delete('User-Agent');
  return url;
}

afterEach(() => jest.useRealTimers());

describe('MSK IAM token', () => {
  test('GIVEN static credentials and one signing time WHEN signed here and by aws-msk-iam-sasl-signer-js THEN the presigned URLs are identical, signature included', async () => {
    // GIVEN: the library reads the clock itself
    jest.useFakeTimers({ now: signingDate, doNotFake: ['nextTick', 'setImmediate'] });
    // WHEN
    const ours = signMskIamToken('eu-west-1', credentials, signingDate);
    const theirs = await generateAuthTokenFromCredentialsProvider({ region: 'eu-west-1', awsCredentialsProvider: async () => credentials });
    // THEN
    expect(presignedUrl(ours.token).toString()).toBe(presignedUrl(theirs.token).toString());
    expect(presignedUrl(ours.token).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(presignedUrl(ours.token).searchParams.get('X-Amz-Security-Token')).toBe(credentials.sessionToken);
    expect(ours.expiryTime).toBe(theirs.expiryTime);
    expect(ours.expiryTime).toBe(signingDate.getTime() + 900_000);
  });

  test('GIVEN Lambda environment credentials WHEN the IAM mechanism asks for a token THEN it is signed with those credentials for the cluster region', async () => {
    // GIVEN
    const env = { KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098', KAFKA_AUTH: 'iam', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'tok' };
    const config = await kafkaConfig(env);
    // WHEN
    const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    const { value } = await sasl.oauthBearerProvider();
    // THEN
    const url = new URL(Buffer.from(value, 'base64url').toString('utf-8'));
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDENV\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('tok');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
  });

  test('GIVEN no credentials in the environment WHEN a token is asked for THEN the signer\'s provider chain is used (and fails here, having none)', async () => {
    // GIVEN: no environment credentials, no profile, no instance metadata reachable in time
    const env = { AWS_REGION: 'eu-west-1' };
    const saved = { ...process.env };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[key];
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      // WHEN / THEN
      await expect(mskIamToken('eu-west-1', env)).rejects.toThrow(/credential/i);
    } finally {
      process.env = saved;
    }
  });
});
