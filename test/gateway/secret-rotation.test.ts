import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readGatewayEnv, GatewayEnv, DEFAULT_SECRET_CACHE_SECONDS } from '../../lambdas/runtime/gateway/gateway-env';
import { verifierRegistry, type SecretLoader } from '../../lambdas/runtime/gateway/providers';
import type { Verifier } from '../../lambdas/runtime/gateway/verifiers';
import { SecretsStandIn } from '../../lib/local/emulator/secrets';
import { certificate, stripeSignature, wechatPayNotification } from '../support/provider-senders';

/**
 * Item 7: keys rotate without a redeploy. The registry reads secrets through the real AWS SDK from
 * the local Secrets Manager stand-in; the cache's clock is injected and advanced by the test.
 */
const now = new Date('2026-11-24T08:00:00Z');
const day = 24 * 3600 * 1000;
const arn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:GatewayStripeSecret';
const wechatArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:GatewayWechatPaySecret';
const apiV3Key = randomBytes(16).toString('hex');
const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { metadata: { correlation_id: 'ORD-1' } } } });

describe('secrets rotate without a redeploy', () => {
  let standIn: SecretsStandIn;
  let client: SecretsManagerClient;
  let reads = 0;
  const load: SecretLoader = async (secretId) => {
    reads++;
    return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!;
  };
  let clock = 0;
  const registry = (ttlMs = 300_000, onStale?: (p: string, e: Error) => void) => verifierRegistry(
    { stripe: { kind: 'stripe', secretEnv: 'S' }, wechat: { kind: 'wechat-pay', secretEnv: 'W' } },
    { S: arn, W: wechatArn }, load, { ttlMs, now: () => clock, onStale },
  );
  const stripeVerifies = async (verifierFor: (p: string) => Promise<Verifier | undefined>, secret: string) =>
    (await verifierFor('stripe'))!.verify({ headers: { 'stripe-signature': stripeSignature(body, secret, now) }, body, now }).then(() => true, () => false);

  beforeAll(async () => {
    standIn = await SecretsStandIn.start();
    client = new SecretsManagerClient({ endpoint: standIn.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client.destroy();
    await standIn.stop();
  });
  beforeEach(() => { clock = 0; reads = 0; });

  test('GIVEN a cached secret WHEN it is rotated THEN the old key serves until the TTL, the new one right after', async () => {
    standIn.put(arn, { signingSecrets: ['whsec_old'] });
    const verifierFor = registry();
    expect(await stripeVerifies(verifierFor, 'whsec_old')).toBe(true);

    // WHEN the secret is rotated in Secrets Manager (no deploy)
    standIn.put(arn, { signingSecrets: ['whsec_new'] });
    clock = 299_999;
    expect(await stripeVerifies(verifierFor, 'whsec_new')).toBe(false);
    expect(await stripeVerifies(verifierFor, 'whsec_old')).toBe(true);

    // THEN once the TTL has passed the new key takes effect and the old one is gone
    clock = 300_000;
    expect(await stripeVerifies(verifierFor, 'whsec_new')).toBe(true);
    expect(await stripeVerifies(verifierFor, 'whsec_old')).toBe(false);
    expect(reads).toBe(2);
  });

  test('GIVEN an unchanged secret WHEN the TTL passes THEN it is read again but its keys are not parsed again', async () => {
    standIn.put(arn, { signingSecrets: ['whsec_same'] });
    const verifierFor = registry();
    const first = await verifierFor('stripe');
    clock = 300_001;
    const second = await verifierFor('stripe');
    expect(reads).toBe(2);
    expect(second).toBe(first);
  });

  test('GIVEN platform certificates rotating WHEN the new certificate is added THEN old and new both verify, and after removal only the new', async () => {
    const old = certificate({ notBefore: new Date(now.getTime() - 300 * day), notAfter: new Date(now.getTime() + 30 * day) });
    const next = certificate({ notBefore: new Date(now.getTime() - day), notAfter: new Date(now.getTime() + 1800 * day) });
    const verifies = async (verifierFor: (p: string) => Promise<Verifier | undefined>, cert: typeof old) => {
      const n = wechatPayNotification({ transaction: { out_trade_no: 'ORD-2', trade_state: 'SUCCESS' }, privateKey: cert.keys.privateKey, serial: cert.serial, apiV3Key, timestamp: now });
      return (await verifierFor('wechat'))!.verify({ headers: n.headers, body: n.body, now }).then(() => true, () => false);
    };
    standIn.put(wechatArn, { apiV3Key, platformCertificates: { [old.serial]: old.pem } });
    const verifierFor = registry();
    expect([await verifies(verifierFor, old), await verifies(verifierFor, next)]).toEqual([true, false]);

    standIn.put(wechatArn, { apiV3Key, platformCertificates: { [old.serial]: old.pem, [next.serial]: next.pem } });
    clock += 300_000;
    expect([await verifies(verifierFor, old), await verifies(verifierFor, next)]).toEqual([true, true]);

    standIn.put(wechatArn, { apiV3Key, platformCertificates: { [next.serial]: next.pem } });
    clock += 300_000;
    expect([await verifies(verifierFor, old), await verifies(verifierFor, next)]).toEqual([false, true]);
  });

  test('GIVEN a refresh that fails THEN the previous keys serve another period and the failure is reported', async () => {
    standIn.put(arn, { signingSecrets: ['whsec_kept'] });
    const stale: string[] = [];
    const verifierFor = registry(300_000, (provider, error) => stale.push(`${provider}: ${error.name}`));
    expect(await stripeVerifies(verifierFor, 'whsec_kept')).toBe(true);
    const broken = verifierRegistry({ stripe: { kind: 'stripe', secretEnv: 'S' } }, { S: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:Missing' }, load, { now: () => clock });
    await expect(broken('stripe')).rejects.toThrow(/can't find the specified secret/);

    // WHEN Secrets Manager cannot be read at refresh time
    await standIn.stop();
    clock = 300_000;
    // THEN the last good key still verifies, and the next refresh is due one TTL later
    expect(await stripeVerifies(verifierFor, 'whsec_kept')).toBe(true);
    expect(stale).toHaveLength(1);
    standIn = await SecretsStandIn.start();
    client.destroy();
    client = new SecretsManagerClient({ endpoint: standIn.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  test('GIVEN the gateway environment THEN SECRET_CACHE_SECONDS sets the TTL, five minutes by default, and a bad value names itself', () => {
    const base = { [GatewayEnv.RESULTS_TOPIC]: 't', [GatewayEnv.DEDUPE_TABLE]: 'd' };
    expect(readGatewayEnv(base).secretCacheSeconds).toBe(DEFAULT_SECRET_CACHE_SECONDS);
    expect(DEFAULT_SECRET_CACHE_SECONDS).toBe(300);
    expect(readGatewayEnv({ ...base, [GatewayEnv.SECRET_CACHE_SECONDS]: '60' }).secretCacheSeconds).toBe(60);
    expect(() => readGatewayEnv({ ...base, [GatewayEnv.SECRET_CACHE_SECONDS]: '-1' }))
      .toThrow('environment variable SECRET_CACHE_SECONDS must be an integer >= 0, got "-1"');
  });
});
