import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { credentialsFromEnv, type SigningCredentials } from './env-credentials';

export type { SigningCredentials } from './env-credentials';

/** Options of a signed request. */
export interface SignedFetchOptions {
  /** Region of the API. @default env AWS_REGION */
  readonly region?: string;
  /** @default the function's own credentials (env AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) */
  readonly credentials?: SigningCredentials;
}

/**
 * `fetch` with a SigV4 signature for API Gateway (`execute-api`): how a caller reaches an HTTP API
 * route with IAM authorization. The caller's role needs `execute-api:Invoke` on the route.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control-iam.html
 */
export async function signedFetch(url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }, options: SignedFetchOptions = {}): Promise<Response> {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('signedFetch needs a region: set AWS_REGION or pass options.region');
  const credentials = options.credentials ?? credentialsFromEnv();
  if (!credentials) throw new Error('signedFetch needs credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set');
  const target = new URL(url);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const signed = await signer.sign({
    method: init.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port ? Number(target.port) : undefined,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { ...init.headers, host: target.host },
    body: init.body,
  });
  return fetch(url, { method: init.method, headers: signed.headers as Record<string, string>, body: init.body, signal: init.signal });
}
