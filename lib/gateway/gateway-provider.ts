import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

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

/** What a provider contributes to the gateway function once bound. */
export interface BoundGatewayProvider {
  readonly secret: secretsmanager.ISecret;
  /** The provider's entry in the function's PROVIDERS variable (without the secret). */
  readonly config: Record<string, unknown>;
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
    if (options.header !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(options.header)) {
      throw new Error(`header must be 1-64 characters of [A-Za-z0-9-], got '${options.header}'`);
    }
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

  /** @internal */
  public abstract _bind(scope: Construct, name: string): BoundGatewayProvider;
}

function newSecret(scope: Construct, name: string, what: string, generate: secretsmanager.SecretStringGenerator): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, `${pascal(name)}Secret`, {
    description: `Callback gateway provider ${name}: ${what}`,
    generateSecretString: generate,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Provider keys are issued and rotated by the payment provider, not by a rotation Lambda',
  });
  return secret;
}

function validateTolerance(value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 3600)) {
    throw new Error(`toleranceSeconds must be an integer from 1 to 3600, got ${value}`);
  }
}

/** `wechat-pay` → `WechatPay`: stable construct ids from provider names. */
export function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
