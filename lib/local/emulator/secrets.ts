import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecret {
  /** Name (what `Name` or the logical id gives). */
  readonly name: string;
  /** ARN the functions see (what `Ref` of the secret resolves to). */
  readonly arn: string;
  value: string;
  versionId: string;
  readonly createdDate: number;
}

/** A secret declared in a template: `AWS::SecretsManager::Secret` with the local ARN and name. */
export interface DeclaredSecret {
  readonly name: string;
  readonly arn: string;
  /** The template's Properties (resolved): `SecretString` or `GenerateSecretString`. */
  readonly properties?: Record<string, any>;
}

/**
 * A local stand-in for AWS Secrets Manager: a loopback HTTP server speaking the JSON 1.1
 * protocol for `GetSecretValue` (and `PutSecretValue`), enough for functions whose SDK client
 * is pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER. Secrets are found by ARN or by name.
 */
export class SecretsStandIn {
  /** Starts the stand-in on a free loopback port. */
  static async start(declared: DeclaredSecret[] = []): Promise<SecretsStandIn> {
    const standIn = new SecretsStandIn();
    for (const d of declared) standIn.declare(d);
    await new Promise<void>((resolve, reject) => {
      standIn.server.once('error', reject);
      standIn.server.listen(0, '127.0.0.1', () => resolve());
    });
    return standIn;
  }

  private readonly secrets = new Map<string, LocalSecret>();
  private readonly server = http.createServer((req, res) => void this.serve(req, res));

  private constructor() {}

  /** Base URL for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Adds a template secret with a placeholder value (its SecretString, or one generated as GenerateSecretString asks). */
  declare(secret: DeclaredSecret): void {
    const value = typeof secret.properties?.SecretString === 'string'
      ? secret.properties.SecretString
      : placeholderValue(secret.properties?.GenerateSecretString);
    this.secrets.set(secret.arn, { name: secret.name, arn: secret.arn, value, versionId: newVersion(), createdDate: Date.now() / 1000 });
  }

  /** Sets a secret's value by ARN or name (objects are JSON-encoded); an unknown name creates it. */
  put(idOrName: string, value: string | object): void {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const existing = this.find(idOrName);
    if (existing) {
      existing.value = text;
      existing.versionId = newVersion();
      return;
    }
    const arn = idOrName.startsWith('arn:') ? idOrName : `arn:aws:secretsmanager:us-east-1:000000000000:secret:${idOrName}`;
    const name = idOrName.startsWith('arn:') ? idOrName.split(':secret:')[1] ?? idOrName : idOrName;
    this.secrets.set(arn, { name, arn, value: text, versionId: newVersion(), createdDate: Date.now() / 1000 });
  }

  /** The current value, or undefined. */
  get(idOrName: string): string | undefined {
    return this.find(idOrName)?.value;
  }

  list(): LocalSecret[] {
    return [...this.secrets.values()];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private find(idOrName: string): LocalSecret | undefined {
    const direct = this.secrets.get(idOrName);
    if (direct) return direct;
    for (const s of this.secrets.values()) {
      // The SDK also accepts partial ARNs without the random suffix; here names are exact.
      if (s.name === idOrName || s.arn.startsWith(`${idOrName}-`)) return s;
    }
    return undefined;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let input: Record<string, unknown> = {};
    try {
      input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return reply(res, 400, { __type: 'InvalidRequestException', message: 'body is not JSON' });
    }
    const secret = typeof input.SecretId === 'string' ? this.find(input.SecretId) : undefined;
    switch (target) {
      case 'secretsmanager.GetSecretValue':
        if (!secret) return notFound(res, input.SecretId);
        return reply(res, 200, {
          ARN: secret.arn, Name: secret.name, SecretString: secret.value, VersionId: secret.versionId,
          VersionStages: ['AWSCURRENT'], CreatedDate: secret.createdDate,
        });
      case 'secretsmanager.PutSecretValue':
        if (!secret) return notFound(res, input.SecretId);
        this.put(secret.arn, String(input.SecretString ?? ''));
        return reply(res, 200, { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, VersionStages: ['AWSCURRENT'] });
      default:
        return reply(res, 400, { __type: 'UnknownOperationException', message: `${target || 'no X-Amz-Target'} is not supported locally` });
    }
  }
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

function notFound(res: http.ServerResponse, id: unknown): void {
  reply(res, 400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret: ${String(id)}` });
}

function newVersion(): string {
  return randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A value shaped as `GenerateSecretString` asks (template JSON + generated key, or a bare password). */
export function placeholderValue(generate: Record<string, any> | undefined): string {
  const length = Number(generate?.PasswordLength ?? 32);
  let alphabet = 'abcdefghijklmnopqrstuvwxyz';
  if (!isTrue(generate?.ExcludeUppercase)) alphabet += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if (!isTrue(generate?.ExcludeNumbers)) alphabet += '0123456789';
  if (!isTrue(generate?.ExcludePunctuation) && !isTrue(generate?.ExcludeLowercase)) alphabet += PUNCTUATION;
  const excluded = new Set(String(generate?.ExcludeCharacters ?? ''));
  const chars = [...alphabet].filter((c) => !excluded.has(c));
  const password = [...randomBytes(length)].map((b) => chars[b % chars.length]).join('');
  if (generate?.SecretStringTemplate && generate?.GenerateStringKey) {
    const template = JSON.parse(String(generate.SecretStringTemplate)) as Record<string, unknown>;
    return JSON.stringify({ ...template, [generate.GenerateStringKey]: password });
  }
  return password;
}

function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

/** The secrets a set of templates declares, with the ARN/name the resolver gives their `Ref`. */
export function declaredSecrets(
  stacks: Array<{ resources: Record<string, { Type: string; Properties?: any }> }>,
  arnOf: (stackIndex: number, logicalId: string) => { arn: string; name: string },
): DeclaredSecret[] {
  const out: DeclaredSecret[] = [];
  stacks.forEach((stack, i) => {
    for (const [id, res] of Object.entries(stack.resources)) {
      if (res.Type !== 'AWS::SecretsManager::Secret') continue;
      out.push({ ...arnOf(i, id), properties: res.Properties });
    }
  });
  return out;
}

/** The secrets of a loaded assembly, with the ARN the emulator's resolver gives their `Ref`. */
export function assemblySecrets(
  stacks: Array<{ region: string; resources: Record<string, { Type: string; Properties?: any }> }>,
  region?: string,
): DeclaredSecret[] {
  return declaredSecrets(stacks, (i, id) => {
    const props = stacks[i].resources[id].Properties ?? {};
    const name = typeof props.Name === 'string' ? props.Name : id;
    return { name, arn: `arn:aws:secretsmanager:${region ?? stacks[i].region}:000000000000:secret:${name}` };
  });
}
