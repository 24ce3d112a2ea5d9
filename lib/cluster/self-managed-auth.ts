import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** How functions and event source mappings authenticate to self-managed Kafka. */
export abstract class SelfManagedAuth {
  /** SASL/SCRAM-SHA-512 with a Secrets Manager secret holding `username` and `password`. */
  public static scram(secret: secretsmanager.ISecret): SelfManagedAuth {
    return new (class extends SelfManagedAuth {})('scram-sha-512', secret);
  }

  /**
   * Mutual TLS with a secret holding `certificate` and `privateKey` (PEM), and optionally
   * a secret holding the brokers' root CA certificate.
   */
  public static mutualTls(secret: secretsmanager.ISecret, rootCa?: secretsmanager.ISecret): SelfManagedAuth {
    return new (class extends SelfManagedAuth {})('tls', secret, rootCa);
  }

  protected constructor(
    /** Value of `KAFKA_AUTH` for the function runtime. */
    public readonly mechanism: 'scram-sha-512' | 'tls',
    /** The credentials secret. */
    public readonly secret: secretsmanager.ISecret,
    /** The brokers' root CA, for mutual TLS. */
    public readonly rootCa?: secretsmanager.ISecret,
  ) {}
}
