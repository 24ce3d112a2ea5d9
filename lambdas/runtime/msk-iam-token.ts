import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { escapeUri } from '@smithy/util-uri-escape';
import { credentialsFromEnv, type SigningCredentials } from './env-credentials';

/** An OAUTHBEARER token for MSK IAM access control. */
export interface MskIamToken {
  readonly token: string;
  /** Epoch ms after which MSK refuses the token. */
  readonly expiryTime: number;
}

/** How long the token is valid: the most aws-msk-iam-sasl-signer-js gives, 15 minutes. */
const EXPIRY_SECONDS = 900;
const USER_AGENT = 'msk-event-pipelines';

/**
 * The token MSK's IAM access control takes over SASL/OAUTHBEARER: a SigV4-presigned
 * `GET https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect` (service
 * `kafka-cluster`), base64url-encoded, the same as aws-msk-iam-sasl-signer-js's
 * `generateAuthTokenFromCredentialsProvider` makes. Signed here with the credentials given, so
 * that a function does not load the signer's credential-provider chain and STS client.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://github.com/aws/aws-msk-iam-sasl-signer-js
 */
export async function signMskIamToken(region: string, credentials: SigningCredentials, now: Date = new Date()): Promise<MskIamToken> {
  const hostname = `kafka.${region}.amazonaws.com`;
  const signer = new SignatureV4({ service: 'kafka-cluster', region, credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname, path: '/', headers: { host: hostname }, query: { Action: 'kafka-cluster:Connect' } },
    { expiresIn: EXPIRY_SECONDS, signingDate: now },
  );
  const query: Record<string, string> = { ...(signed.query as Record<string, string>), 'User-Agent': USER_AGENT };
  const search = Object.keys(query).sort().map((key) => `${escapeUri(key)}=${escapeUri(query[key])}`).join('&');
  const url = `https://${hostname}/?${search}`;
  return { token: Buffer.from(url, 'utf-8').toString('base64url'), expiryTime: signingTime(query['X-Amz-Date']) + EXPIRY_SECONDS * 1000 };
}

function signingTime(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) throw new Error(`presigned MSK IAM token has no valid X-Amz-Date, got ${JSON.stringify(amzDate)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/**
 * The token from Lambda's environment credentials; only where they are not set (a function run
 * outside Lambda with a profile, SSO or instance role) is the signer's full credential-provider
 * chain loaded, on first use.
 */
export async function mskIamToken(region: string, env: Record<string, string | undefined> = process.env): Promise<MskIamToken> {
  const credentials = credentialsFromEnv(env);
  if (credentials) return signMskIamToken(region, credentials);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generateAuthToken } = require('aws-msk-iam-sasl-signer-js') as typeof import('aws-msk-iam-sasl-signer-js');
  return generateAuthToken({ region });
}
