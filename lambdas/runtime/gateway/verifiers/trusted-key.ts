import { createPublicKey, KeyObject, X509Certificate } from 'node:crypto';

/**
 * A public key a verifier trusts, parsed once when the secret is read: from an X.509 certificate
 * (which brings its validity dates and serial) or from a bare public key (which has none: WeChat
 * Pay public keys `PUB_KEY_ID_…` and Alipay public keys do not expire).
 */
export interface TrustedKey {
  readonly key: KeyObject;
  /** The certificate the key came from, if it came from one. */
  readonly certificate?: X509Certificate;
  /** Upper-case hex serial of the certificate, without leading zeros. */
  readonly certificateSerial?: string;
}

/**
 * Parses a PEM certificate (the first one when the PEM holds a chain), a PEM public key, a bare
 * base64 DER SubjectPublicKeyInfo (the form Alipay's console shows) or a KeyObject.
 * `what` names the secret field in the error, so a bad secret is found from the log alone.
 */
export function trustedKey(value: string | KeyObject, what: string): TrustedKey {
  if (typeof value !== 'string') return { key: value };
  try {
    if (value.includes('-----BEGIN CERTIFICATE-----')) {
      const certificate = new X509Certificate(firstPem(value));
      return { key: certificate.publicKey, certificate, certificateSerial: normalizeSerial(certificate.serialNumber) };
    }
    if (value.includes('-----BEGIN')) return { key: createPublicKey(value) };
    return { key: createPublicKey({ key: Buffer.from(value.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' }) };
  } catch (err) {
    throw new Error(`${what} is not a PEM certificate, PEM public key or base64 DER public key (${(err as Error).message})`, { cause: err });
  }
}

/** Every PEM certificate in `text`, in order (a chain file: leaf first). */
export function pemCertificates(text: string): X509Certificate[] {
  return (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

/** Whether `now` lies within the certificate's validity (a bare key is always valid). */
export function validAt(trusted: TrustedKey, now: Date): boolean {
  const cert = trusted.certificate;
  if (!cert) return true;
  return now.getTime() >= Date.parse(cert.validFrom) && now.getTime() <= Date.parse(cert.validTo);
}

/** Log fields describing a trusted key's validity. */
export function validityOf(trusted: TrustedKey): Record<string, string> {
  const cert = trusted.certificate;
  return cert ? { notBefore: new Date(cert.validFrom).toISOString(), notAfter: new Date(cert.validTo).toISOString() } : {};
}

/** `00ab12` and `AB12` name the same serial. */
export function normalizeSerial(serial: string): string {
  return serial.toUpperCase().replace(/^0+(?=.)/, '');
}

function firstPem(text: string): string {
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  return match ? match[0] : text;
}
