import { Webhook } from 'standardwebhooks';
import { createVerifier } from '../../lambdas/runtime/gateway/providers';
import { StandardWebhooksVerifier } from '../../lambdas/runtime/gateway/verifiers';
import { standardWebhookHeaders, standardWebhookSecret } from '../support/provider-senders';
import { rejection } from '../support/verification';

/** Standard Webhooks deliveries signed by the specification's reference library (`standardwebhooks`). */
const now = new Date('2026-11-24T08:00:00Z');
const secret = standardWebhookSecret();
const previous = standardWebhookSecret();
const verifier = new StandardWebhooksVerifier({ signingSecrets: [secret, previous], types: { 'invoice.paid': 'payment.succeeded' } });
const body = JSON.stringify({ type: 'invoice.paid', timestamp: now.toISOString(), data: { invoice: 'in_1', correlation_id: 'ORD-21' } });


describe('StandardWebhooksVerifier', () => {
  test('GIVEN a delivery signed by the reference library THEN webhook-id is the dedupe key, the type is mapped and the answer is 204', async () => {
    // The library checks its 5-minute window against the real clock, so this delivery is signed now.
    const live = new Date();
    const headers = standardWebhookHeaders('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', body, secret, live);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    const result = await verifier.verify({ headers, body, now: live });
    expect(result).toMatchObject({
      notificationId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', correlationId: 'ORD-21', type: 'payment.succeeded', ack: { statusCode: 204, body: '' },
    });
  });

  test('GIVEN the previous secret of a rotation THEN it verifies; a third secret does not', async () => {
    await expect(verifier.verify({ headers: standardWebhookHeaders('msg_1', body, previous, now), body, now })).resolves.toBeDefined();
    const err = await rejection(verifier.verify({ headers: standardWebhookHeaders('msg_1', body, standardWebhookSecret(), now), body, now }));
    expect([err.status, err.code]).toEqual([401, 'bad_signature']);
  });

  test('GIVEN a space-separated list with a v1a entry and a wrong v1 before the right one THEN it verifies', async () => {
    const headers = standardWebhookHeaders('msg_2', body, secret, now);
    const wrong = standardWebhookHeaders('msg_2', body, standardWebhookSecret(), now)['webhook-signature'];
    headers['webhook-signature'] = `v1a,${'A'.repeat(86)}== ${wrong} ${headers['webhook-signature']}`;
    await expect(verifier.verify({ headers, body, now })).resolves.toBeDefined();
  });

  test.each([
    ['a changed webhook-id', (h: Record<string, string>) => ({ ...h, 'webhook-id': 'msg_other' }), 401, 'bad_signature'],
    ['a changed timestamp', (h: Record<string, string>) => ({ ...h, 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) }), 401, 'bad_signature'],
    ['a v1 signature one character longer', (h: Record<string, string>) => ({ ...h, 'webhook-signature': h['webhook-signature'].replace('=', 'A=') }), 400, 'malformed_header'],
    ['no v1 entry', (h: Record<string, string>) => ({ ...h, 'webhook-signature': 'v2,abc' }), 400, 'malformed_header'],
    ['no webhook-id', ({ 'webhook-id': _id, ...h }: Record<string, string>) => h, 400, 'missing_header'],
    ['a webhook-timestamp that is not seconds', (h: Record<string, string>) => ({ ...h, 'webhook-timestamp': '2026-11-24T08:00:00Z' }), 400, 'malformed_header'],
  ])('GIVEN %s THEN %i %s', async (_name, mutate, status, code) => {
    const headers = mutate(standardWebhookHeaders('msg_3', body, secret, now));
    const err = await rejection(verifier.verify({ headers, body, now }));
    expect([err.status, err.code]).toEqual([status, code]);
  });

  test.each([301, -301])('GIVEN a delivery signed %i s before now THEN 401 stale_timestamp (the specification\'s 5 minutes, both ways)', async (age) => {
    const at = new Date(now.getTime() - age * 1000);
    const err = await rejection(verifier.verify({ headers: standardWebhookHeaders('msg_4', body, secret, at), body, now }));
    expect([err.status, err.code]).toEqual([401, 'stale_timestamp']);
  });

  test('GIVEN a body without a correlation id THEN 400 missing_field naming the fields tried', async () => {
    const bare = JSON.stringify({ type: 'invoice.paid', data: {} });
    const err = await rejection(verifier.verify({ headers: standardWebhookHeaders('msg_5', bare, secret, now), body: bare, now }));
    expect([err.status, err.code, err.message]).toEqual([400, 'missing_field', 'field data.correlation_id or correlation_id is missing or not a string']);
  });

  test('GIVEN a secret that is not whsec_ + base64 THEN the constructor throws naming it', () => {
    expect(() => new StandardWebhooksVerifier({ signingSecrets: ['whsec_not base64!'] })).toThrow(/signingSecrets\[0\] must be whsec_ followed by base64/);
    expect(() => createVerifier({ kind: 'standard-webhooks', secretEnv: 'X' }, {})).toThrow(/signingSecrets must hold at least one whsec_ secret, got none/);
  });
});
