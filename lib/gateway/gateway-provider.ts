import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SecretValue, Token, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { rangeViolation } from '../core/range';
import { patternViolation } from '../core/validate';
import type { ProviderConfig } from '../../lambdas/runtime/gateway/gateway-env';

/** Options of a WeChat Pay API v3 provider. */
export interface WechatPayProviderOptions {
  /**
   * Secret holding `{"platformCertificates": {"<serial>": "<PEM public key or certificate>"}, "apiV3Key": "<32 bytes>"}`.
   * @default - a new secret with a generated `apiV3Key` and no platform certificates yet
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Accepted distance between `Wechatpay-Timestamp` and the gateway's clock, in seconds (1..3600).
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/** Options of a generic HMAC-SHA256 (Stripe-style `t=…,v1=…`) provider. */
export interface HmacProviderOptions {
  /**
   * Secret holding `{"signingSecret": "..."}`.
   * @default - a new secret with a generated `signingSecret`
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Header carrying the signature.
   * @default 'X-Signature'
   */
  readonly header?: string;
  /**
   * Accepted timestamp distance in seconds (1..3600).
   * @default 300
   */
  readonly toleranceSeconds?: number;
  /**
   * Dotted path of the notification id in the JSON body.
   * @default 'id'
   */
  readonly notificationIdField?: string;
  /**
   * Dotted paths tried in order for the correlation id.
   * @default ['data.object.metadata.correlation_id', 'correlation_id']
   */
  readonly correlationIdFields?: string[];
  /**
   * Dotted path of the event type.
   * @default 'type'
   */
  readonly typeField?: string;
  /**
   * Provider type → CloudEvents type, e.g. `{ 'payment_intent.succeeded': 'payment.succeeded' }`.
   * @default - types pass through unchanged
   */
  readonly types?: Record<string, string>;
}

/** Options shared by the providers that sign JSON bodies and name an event type. */
export interface JsonEventProviderOptions {
  /**
   * Accepted distance between the signed timestamp and the gateway's clock, in seconds (1..3600).
   * @default 300 (Stripe's and the Standard Webhooks specification's five minutes)
   */
  readonly toleranceSeconds?: number;
  /**
   * Dotted paths tried in order for the correlation id (the Kafka key and the event's subject).
   * @default - per provider, see its factory
   */
  readonly correlationIdFields?: string[];
  /**
   * Sender type → CloudEvents type, e.g. `{ 'invoice.paid': 'payment.succeeded' }`.
   * @default - per provider, see its factory; unmapped types pass through unchanged
   */
  readonly types?: Record<string, string>;
}

/** Options of a Stripe provider. */
export interface StripeProviderOptions extends JsonEventProviderOptions {
  /**
   * Secret holding `{"signingSecrets": ["whsec_…"]}`: the endpoint's signing secret, and while
   * you roll it in Stripe's dashboard, the previous one too (Stripe then signs with both).
   * @default - a new secret with no signing secret yet: callbacks get 500 (Stripe retries for up to three days) until you put it in
   */
  readonly secret?: secretsmanager.ISecret;
}

/** Options of a Standard Webhooks provider (Svix and other senders of the specification). */
export interface StandardWebhooksProviderOptions extends JsonEventProviderOptions {
  /**
   * Secret holding `{"signingSecrets": ["whsec_<base64>"]}`: the sender's secret, two while it rotates.
   * @default - a new secret with no signing secret yet: callbacks get 500 (the sender retries) until you put it in
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Dotted path of the event type in the body.
   * @default 'type'
   */
  readonly typeField?: string;
}

/** Options of an Alipay provider (asynchronous notifications, RSA2). */
export interface AlipayProviderOptions {
  /**
   * Secret holding the Alipay keys: public-key mode `{"alipayPublicKeys": ["<base64 or PEM>"]}`,
   * or certificate mode `{"alipayCertificates": ["<alipayCertPublicKey_RSA2.crt PEM>"], "alipayRootCertificate": "<alipayRootCert.crt PEM>"}`.
   * Several keys or certificates may be held while Alipay rotates them.
   * @default - a new secret with no key yet: notifications get 500 (Alipay retries for 25 hours) until you put one in
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * Your Alipay app id; a notification for another `app_id` is refused (400).
   * @default - any app id
   */
  readonly appId?: string;
}

/** A provider's entry in the function's PROVIDERS variable, before the secret's variable is added. */
export type BoundProviderConfig = ProviderConfig extends infer C ? (C extends unknown ? Omit<C, 'secretEnv'> : never) : never;

/** What a provider contributes to the gateway function once bound. */
export interface BoundGatewayProvider {
  /** The secret holding the provider's keys; the gateway function may read it. */
  readonly secret: secretsmanager.ISecret;
  /** The provider's entry in the function's PROVIDERS variable (without the secret). */
  readonly config: BoundProviderConfig;
}

/** A provider the gateway accepts callbacks from, and the verifier that checks them. */
export abstract class GatewayProvider {
  /** WeChat Pay API v3 notifications (SHA256-RSA signature, AEAD_AES_256_GCM resource). */
  public static wechatPay(options: WechatPayProviderOptions = {}): GatewayProvider {
    validateTolerance(options.toleranceSeconds);
    return new (class extends GatewayProvider {
      public _bind(scope: Construct, name: string): BoundGatewayProvider {
        const secret = options.secret ?? newSecret(scope, name, 'WeChat Pay API v3 key and platform public keys by serial', {
          secretStringTemplate: JSON.stringify({ platformCertificates: {} }),
          generateStringKey: 'apiV3Key',
          passwordLength: 32,
          excludePunctuation: true,
        });
        return { secret, config: { kind: 'wechat-pay', toleranceSeconds: options.toleranceSeconds } };
      }
    })();
  }

  /** Generic HMAC-SHA256 signatures with a timestamp (Stripe style). */
  public static hmac(options: HmacProviderOptions = {}): GatewayProvider {
    validateTolerance(options.toleranceSeconds);
    refuse(patternViolation('header', options.header, /^[A-Za-z0-9-]{1,64}$/, '1-64 characters of [A-Za-z0-9-]'));
    return new (class extends GatewayProvider {
      public _bind(scope: Construct, name: string): BoundGatewayProvider {
        const secret = options.secret ?? newSecret(scope, name, 'HMAC signing secret', {
          secretStringTemplate: '{}',
          generateStringKey: 'signingSecret',
          passwordLength: 48,
          excludePunctuation: true,
        });
        const { secret: _secret, ...rest } = options;
        return { secret, config: { kind: 'hmac', ...rest } };
      }
    })();
  }

  /**
   * Stripe webhooks: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256 of `<t>.<body>`
   * with the endpoint's `whsec_` secret, five minutes' tolerance, dedupe by the event id.
   * Types `payment_intent.succeeded` / `payment_intent.payment_failed` / `payment_intent.canceled`
   * become `payment.succeeded` / `payment.failed` / `payment.closed` unless `types` says otherwise;
   * the correlation id is `data.object.metadata.correlation_id`, else `data.object.client_reference_id`.
   * @see https://docs.stripe.com/webhooks#verify-manually
   */
  public static stripe(options: StripeProviderOptions = {}): GatewayProvider {
    validateTolerance(options.toleranceSeconds);
    return new (class extends GatewayProvider {
      public _bind(scope: Construct, name: string): BoundGatewayProvider {
        const secret = options.secret ?? emptySecret(scope, name, 'Stripe endpoint signing secrets (whsec_…)', { signingSecrets: [] });
        const { secret: _secret, ...rest } = options;
        return { secret, config: { kind: 'stripe', ...rest } };
      }
    })();
  }

  /**
   * The Standard Webhooks specification (Svix and many SaaS senders): `webhook-id`,
   * `webhook-timestamp`, `webhook-signature: v1,<base64> …`, HMAC-SHA256 of
   * `<id>.<timestamp>.<body>` with the base64 key of a `whsec_` secret, five minutes' tolerance,
   * dedupe by `webhook-id`. The correlation id is `data.correlation_id`, else `correlation_id`.
   * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
   */
  public static standardWebhooks(options: StandardWebhooksProviderOptions = {}): GatewayProvider {
    validateTolerance(options.toleranceSeconds);
    return new (class extends GatewayProvider {
      public _bind(scope: Construct, name: string): BoundGatewayProvider {
        const secret = options.secret ?? emptySecret(scope, name, 'Standard Webhooks signing secrets (whsec_…)', { signingSecrets: [] });
        const { secret: _secret, ...rest } = options;
        return { secret, config: { kind: 'standard-webhooks', ...rest } };
      }
    })();
  }

  /**
   * Alipay asynchronous notifications: form-encoded, RSA2 (SHA256withRSA) over the sorted
   * parameters without `sign` and `sign_type`, verified with the Alipay public key or certificate;
   * dedupe by `notify_id`, correlation id `out_trade_no`, answer the plain text `success`.
   * `trade_status` TRADE_SUCCESS / TRADE_FINISHED → `payment.succeeded`, TRADE_CLOSED →
   * `payment.closed`, WAIT_BUYER_PAY → `payment.pending`.
   * @see https://docs.open.alipay.com/270/105902/
   */
  public static alipay(options: AlipayProviderOptions = {}): GatewayProvider {
    refuse(patternViolation('appId', options.appId, /^[0-9]{1,32}$/, '1-32 digits (an Alipay app id)'));
    return new (class extends GatewayProvider {
      public _bind(scope: Construct, name: string): BoundGatewayProvider {
        const secret = options.secret ?? emptySecret(scope, name, 'Alipay public keys or certificates', { alipayPublicKeys: [] });
        return { secret, config: { kind: 'alipay', appId: options.appId } };
      }
    })();
  }

  /** @internal */
  public abstract _bind(scope: Construct, name: string): BoundGatewayProvider;
}

function newSecret(scope: Construct, name: string, what: string, generate: secretsmanager.SecretStringGenerator): secretsmanager.Secret {
  return acknowledged(new secretsmanager.Secret(scope, `${pascal(name)}Secret`, {
    description: `Callback gateway provider ${name}: ${what}`,
    generateSecretString: generate,
  }));
}

/**
 * A secret for keys only the provider can issue: it starts with an empty key list (nothing
 * secret is in the template), and the gateway answers 500 for that provider until an operator
 * puts the keys in, so the provider's retries deliver once it is configured. `SecretString` is
 * only the initial value and stays constant in the template, so a stack update does not send it
 * again over the keys an operator put in; never change its shape here for that reason.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-secretsmanager-secret.html
 */
function emptySecret(scope: Construct, name: string, what: string, shape: Record<string, unknown>): secretsmanager.Secret {
  return acknowledged(new secretsmanager.Secret(scope, `${pascal(name)}Secret`, {
    description: `Callback gateway provider ${name}: ${what}`,
    secretStringValue: SecretValue.unsafePlainText(JSON.stringify(shape)),
  }));
}

function acknowledged(secret: secretsmanager.Secret): secretsmanager.Secret {
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Provider keys are issued and rotated by the payment provider, not by a rotation Lambda; the gateway re-reads the secret every secretCacheTtl',
  });
  return secret;
}

// A provider is built before it has a scope (it binds to the gateway later), so its checks use
// the pure rule underneath validate.ts, without a construct path.
function validateTolerance(value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  refuse(rangeViolation('toleranceSeconds', value, { min: 1, max: 3600 }));
}

/** A provider's options are checked in its static factory, before there is a scope to name. */
function refuse(violation: string | undefined): void {
  if (violation) throw new Error(violation);
}

/** `wechat-pay` → `WechatPay`: stable construct ids from provider names. */
export function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
