import { createHash, createHmac } from 'crypto';
import { credentialsFromEnv, type SigningCredentials } from './env-credentials';

/** An OAUTHBEARER token for MSK IAM access control. */
export interface MskIamToken {
  readonly token: string;
  /** Epoch ms after which MSK refuses the token. */
  readonly expiryTime: number;
}

/** How long the token is valid: what aws-msk-iam-sasl-signer-js gives, 15 minutes. */
const EXPIRY_SECONDS = 900;
const SERVICE = 'kafka-cluster';
const USER_AGENT = 'msk-event-pipelines';

/**
 * The token MSK's IAM access control takes over SASL/OAUTHBEARER: a SigV4 query-string presigned
 * `GET https://kafka.<region>.amazonaws.com/?Action=kafka-cluster:Connect` (service
 * `kafka-cluster`, signed header `host`), base64url-encoded: what aws-msk-iam-sasl-signer-js's
 * `generateAuthTokenFromCredentialsProvider` makes (a test holds the two to the same bytes). Signed
 * here with node:crypto, so that a function loads neither the signer's credential-provider chain
 * and STS client nor @smithy/signature-v4 and @smithy/core (≈140 KB minified) for one HMAC chain.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * @see https://github.com/aws/aws-msk-iam-sasl-signer-js
 */
export function signMskIamToken(region: string, credentials: SigningCredentials, now: Date = new Date()): MskIamToken {
  const hostname = `kafka.${region}.amazonaws.com`;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/${SERVICE}/aws4_request`;
  const query: Record<string, string> = {
    Action: 'kafka-cluster:Connect',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(EXPIRY_SECONDS),
    ...(credentials.sessionToken ? { 'X-Amz-Security-Token': credentials.sessionToken } : {}),
    'X-Amz-SignedHeaders': 'host',
  };
  const canonicalRequest = ['GET', '/', queryString(query), `host:${hostname}\n`, 'host', sha256Hex('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, SERVICE, 'aws4_request']) key = hmac(key, part);
  query['X-Amz-Signature'] = createHmac('sha256', key).update(stringToSign).digest('hex');
  query['User-Agent'] = USER_AGENT;
  const url = `https://${hostname}/?${queryString(query)}`;
  return { token: Buffer.from(url, 'utf-8').toString('base64url'), expiryTime: now.getTime() - now.getMilliseconds() + EXPIRY_SECONDS * 1000 };
}

/**
 * The token from Lambda's environment credentials. Only where they are not set (code run outside
 * Lambda with a profile, SSO or an instance role) does it load aws-msk-iam-sasl-signer-js and its
 * provider chain. The name is not a literal so that esbuild leaves it out of function bundles:
 * Lambda always sets the environment credentials, and outside a bundle Node resolves it from
 * node_modules.
 */
export async function mskIamToken(region: string, env: Record<string, string | undefined> = process.env): Promise<MskIamToken> {
  const credentials = credentialsFromEnv(env);
  if (credentials) return signMskIamToken(region, credentials);
  const signerModule = 'aws-msk-iam-sasl-signer-js';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generateAuthToken } = require(signerModule) as typeof import('aws-msk-iam-sasl-signer-js');
  return generateAuthToken({ region });
}

/** SigV4's canonical query string: keys sorted, keys and values percent-encoded per RFC 3986. */
function queryString(query: Record<string, string>): string {
  return Object.keys(query).sort().map((k) => `${rfc3986(k)}=${rfc3986(query[k])}`).join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function hmac(key: string | Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value).digest();
}
