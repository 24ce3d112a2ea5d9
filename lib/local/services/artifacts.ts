import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LocalServicesError } from './errors';
import { defaultCacheDir } from './paths';
import { checkMaven } from './prerequisites';

/** One service's jars, resolved from its own POM into its own directory. */
export interface Artifact {
  /** `kafka` or `dynamodb`. */
  readonly name: ArtifactName;
  /** Version read from the POM. */
  readonly version: string;
  /** Directory holding every runtime jar (and, for DynamoDB Local, the sqlite4java natives). */
  readonly libDir: string;
}

export type ArtifactName = 'kafka' | 'dynamodb';

export interface EnsureArtifactsOptions {
  /**
   * Cache directory.
   * @default LOCAL_SERVICES_CACHE, else `<repo>/.cache/local-services`
   */
  readonly cacheDir?: string;
  /**
   * Maven executable, only run when the jars are not cached yet.
   * @default 'mvn'
   */
  readonly mvnBin?: string;
  /**
   * Which artifacts to make available.
   * @default ['kafka', 'dynamodb']
   */
  readonly only?: readonly ArtifactName[];
  /**
   * Where progress of a first fetch is printed.
   * @default a line-writer on stderr
   */
  readonly log?: (line: string) => void;
}

export interface Artifacts {
  readonly kafka?: Artifact;
  readonly dynamodb?: Artifact;
}

/** Each artifact has its own POM: one classpath would mix DynamoDB Local's Jetty with Kafka's. */
const POMS: Record<ArtifactName, { pom: string; versionProperty: string; label: string; dirPrefix: string }> = {
  kafka: {
    pom: path.resolve(__dirname, '..', 'maven', 'kafka', 'pom.xml'),
    versionProperty: 'kafka.version',
    label: 'Apache Kafka',
    dirPrefix: 'kafka',
  },
  dynamodb: {
    pom: path.resolve(__dirname, '..', 'maven', 'dynamodb', 'pom.xml'),
    versionProperty: 'dynamodb-local.version',
    label: 'DynamoDB Local',
    dirPrefix: 'dynamodb-local',
  },
};

const MARKER = '.complete';

/**
 * Makes the Kafka and DynamoDB Local jars available, fetching them from Maven Central with
 * Maven the first time only. A marker file holding the POM's hash is written once a fetch
 * completes, so an interrupted fetch, or a changed POM, is fetched again.
 */
export async function ensureArtifacts(options: EnsureArtifactsOptions = {}): Promise<Artifacts> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const result: { kafka?: Artifact; dynamodb?: Artifact } = {};
  let mavenChecked = false;
  for (const name of options.only ?? (['kafka', 'dynamodb'] as const)) {
    const spec = POMS[name];
    const pomText = fs.readFileSync(spec.pom, 'utf8');
    const version = readProperty(pomText, spec.versionProperty, spec.pom);
    const dir = path.join(cacheDir, `${spec.dirPrefix}-${version}`);
    const libDir = path.join(dir, 'lib');
    const hash = createHash('sha256').update(pomText).digest('hex');
    if (!isComplete(dir, hash)) {
      if (!mavenChecked) {
        checkMaven(options.mvnBin);
        mavenChecked = true;
      }
      await fetchInto(dir, libDir, hash, spec.pom, `${spec.label} ${version}`, options.mvnBin ?? 'mvn', log);
    }
    result[name] = { name, version, libDir };
  }
  return result;
}

function isComplete(dir: string, hash: string): boolean {
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim() === hash;
  } catch {
    return false;
  }
}

async function fetchInto(
  dir: string, libDir: string, hash: string, pom: string, label: string, mvnBin: string, log: (line: string) => void,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  // Fetch into a private directory and rename it into place, so two processes fetching at
  // once (a test run and the command line) never see a half-filled lib directory.
  const staging = fs.mkdtempSync(path.join(dir, 'lib.fetching-'));
  log(`[local-services] fetching ${label} from Maven Central into ${libDir} (first run only)...`);
  const started = Date.now();
  const args = ['-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'];
  const { code, tail, downloads, bytes } = await runMaven(mvnBin, args, (count, total) =>
    log(`[local-services]   ${label}: ${count} files downloaded (${formatBytes(total)})`));
  if (code !== 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new LocalServicesError(
      `Fetching ${label} with Maven failed (exit ${code}). Check network access to Maven Central ` +
      `(https://repo.maven.apache.org) or proxy settings in ~/.m2/settings.xml. Last Maven output:\n${tail.join('\n')}`,
    );
  }
  if (isComplete(dir, hash)) {
    fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
    return;
  }
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.renameSync(staging, libDir);
  fs.writeFileSync(path.join(dir, MARKER), `${hash}\n`);
  const jars = fs.readdirSync(libDir).filter((f) => f.endsWith('.jar')).length;
  log(`[local-services] ${label}: ${jars} jars ready (${downloads} downloaded, ${formatBytes(bytes)}, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

interface MavenRun {
  code: number | null;
  tail: string[];
  downloads: number;
  bytes: number;
}

/** Runs Maven in batch mode, summarising its transfer lines instead of echoing them all. */
function runMaven(mvnBin: string, args: string[], progress: (count: number, bytes: number) => void): Promise<MavenRun> {
  return new Promise((resolve) => {
    const child = spawn(mvnBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let downloads = 0;
    let bytes = 0;
    let lastReport = Date.now();
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
        tail.push(line);
        if (tail.length > 40) tail.shift();
        const m = /^\[INFO\] Downloaded from [^:]+: \S+ \(([\d.]+) (B|kB|MB|GB)/.exec(line);
        if (m) {
          downloads++;
          bytes += Number(m[1]) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[m[2]];
          if (Date.now() - lastReport > 2000) {
            lastReport = Date.now();
            progress(downloads, bytes);
          }
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => resolve({ code: -1, tail: [...tail, err.message], downloads, bytes }));
    child.on('close', (code) => resolve({ code, tail, downloads, bytes }));
  });
}

function readProperty(pomText: string, property: string, pom: string): string {
  const m = new RegExp(`<${property.replace(/[.]/g, '\\.')}>([^<]+)</`).exec(pomText);
  if (!m) throw new Error(`${pom} has no <${property}> property`);
  return m[1].trim();
}

function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}
