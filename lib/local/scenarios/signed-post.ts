import { signedFetch } from '../../../lambdas/runtime/signed-fetch';

/** The emulator's dummy credentials (functions get the same): local mode checks that a request is signed, not by whom. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * POSTs JSON to a route with IAM authorization, SigV4-signed with the local dummy credentials, as a
 * caller with `execute-api:Invoke` would on AWS.
 */
export function signedPost(url: string, body: unknown, region = 'us-east-1'): Promise<Response> {
  return signedFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, { region, credentials: LOCAL_CREDENTIALS });
}
