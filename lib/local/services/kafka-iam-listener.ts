import { spawn } from 'child_process';
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LocalServicesError } from './errors';

/**
 * The secret access key every function signs with locally (each with its own key id): the
 * broker's token validator and the DynamoDB front check signatures against it.
 */
export const LOCAL_SECRET_ACCESS_KEY = 'local-secret-access-key';

/** The validator's source, compiled at service start (see {@link prepareIamListener}). */
const VALIDATOR_SOURCE = path.resolve(__dirname, 'java', 'MskIamTokenValidator.java');
const VALIDATOR_CLASS = 'MskIamTokenValidator';

/** What the broker's SASL_SSL listener needs, made once into the cache. */
export interface IamListenerFiles {
  /** Directory holding the compiled validator class, for the broker's classpath. */
  readonly classesDir: string;
  /** PKCS12 key store with the broker's self-signed key pair (CN and SAN 127.0.0.1 / localhost). */
  readonly keyStore: string;
  readonly keyStorePassword: string;
  /** The broker's certificate (PEM): the one certificate authority clients of the listener trust. */
  readonly caFile: string;
}

export interface PrepareIamListenerOptions {
  /** The cache directory (git-ignored), e.g. `defaultCacheDir()`. */
  readonly cacheDir: string;
  /** Directory holding the Kafka jars to compile against. */
  readonly libDir: string;
  /**
   * Java executable; `javac` and `keytool` are looked up next to it.
   * @default 'java'
   */
  readonly javaBin?: string;
}

/**
 * Compiles the token validator (once per source and Kafka version) and makes the listener's key
 * pair (once per cache), both under `<cacheDir>/kafka-iam/`.
 * @throws LocalServicesError when `javac` or `keytool` fails (a JRE without the JDK tools).
 */
export async function prepareIamListener(options: PrepareIamListenerOptions): Promise<IamListenerFiles> {
  const root = path.join(options.cacheDir, 'kafka-iam');
  const source = fs.readFileSync(VALIDATOR_SOURCE);
  const key = createHash('sha256').update(source).update(path.resolve(options.libDir)).digest('hex').slice(0, 16);
  const classesDir = path.join(root, `classes-${key}`);
  if (!fs.existsSync(path.join(classesDir, `${VALIDATOR_CLASS}.class`))) {
    fs.mkdirSync(root, { recursive: true });
    // Compiled aside and renamed into place, so a concurrent start never loads half a class.
    const staging = fs.mkdtempSync(path.join(root, 'staging-'));
    await run(tool(options.javaBin, 'javac'), ['-nowarn', '-cp', `${options.libDir}${path.sep}*`, '-d', staging, VALIDATOR_SOURCE]);
    try {
      fs.renameSync(staging, classesDir);
    } catch (error) {
      // Another start compiled the same source meanwhile: keep its classes.
      fs.rmSync(staging, { recursive: true, force: true });
      if (!fs.existsSync(path.join(classesDir, `${VALIDATOR_CLASS}.class`))) throw error;
    }
  }
  const keyStore = path.join(root, 'broker.p12');
  const caFile = path.join(root, 'broker-ca.pem');
  const passwordFile = path.join(root, 'broker.password');
  if (!fs.existsSync(keyStore) || !fs.existsSync(caFile) || !fs.existsSync(passwordFile)) {
    const password = randomBytes(12).toString('hex');
    for (const file of [keyStore, caFile]) fs.rmSync(file, { force: true });
    const keytool = tool(options.javaBin, 'keytool');
    await run(keytool, [
      '-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650',
      '-dname', 'CN=127.0.0.1', '-ext', 'SAN=IP:127.0.0.1,DNS:localhost',
      '-storetype', 'PKCS12', '-keystore', keyStore, '-storepass', password, '-keypass', password,
    ]);
    await run(keytool, ['-exportcert', '-rfc', '-alias', 'broker', '-keystore', keyStore, '-storepass', password, '-file', caFile]);
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  return { classesDir, keyStore, keyStorePassword: fs.readFileSync(passwordFile, 'utf8').trim(), caFile };
}

/**
 * Broker properties for the SASL_SSL listener (OAUTHBEARER, the local MSK IAM token validator)
 * and for ACL enforcement: StandardAuthorizer, the plaintext and controller principal
 * (User:ANONYMOUS) a super user, and no access where no ACL allows it, as MSK's IAM access
 * control denies what no policy allows.
 * @see https://kafka.apache.org/documentation/#security_authz
 * @see https://kafka.apache.org/documentation/#security_sasl_oauthbearer
 */
export function iamListenerProperties(files: IamListenerFiles, secretAccessKey: string = LOCAL_SECRET_ACCESS_KEY): Record<string, string> {
  const prefix = 'listener.name.sasl_ssl.';
  // The login module also makes the broker's own token (its login on this listener, never
  // used: brokers talk over PLAINTEXT); Kafka's unsecured login handler needs a subject for it.
  return {
    'sasl.enabled.mechanisms': 'OAUTHBEARER',
    [`${prefix}oauthbearer.sasl.jaas.config`]:
      `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker" secretAccessKey="${secretAccessKey}";`,
    [`${prefix}oauthbearer.sasl.server.callback.handler.class`]: VALIDATOR_CLASS,
    [`${prefix}ssl.keystore.type`]: 'PKCS12',
    [`${prefix}ssl.keystore.location`]: files.keyStore,
    [`${prefix}ssl.keystore.password`]: files.keyStorePassword,
    [`${prefix}ssl.key.password`]: files.keyStorePassword,
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'allow.everyone.if.no.acl.found': 'false',
  };
}

/** `javac` / `keytool` next to `javaBin` when that is a path, else from PATH. */
function tool(javaBin: string | undefined, name: string): string {
  return javaBin && path.isAbsolute(javaBin) ? path.join(path.dirname(javaBin), name) : name;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new LocalServicesError(`${command} could not run (${error.message}); the Kafka IAM listener needs a JDK (javac, keytool)`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new LocalServicesError(`${command} ${args[0]} failed (exit ${code}):\n${output}`))));
  });
}
