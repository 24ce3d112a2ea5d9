import { spawnSync } from 'child_process';
import { LocalServicesError, USE_EXISTING_HINT } from './errors';

/** Oldest Java that runs Kafka 3.9 and DynamoDB Local 3.x. */
export const MIN_JAVA_MAJOR = 17;
/** Oldest Maven whose dependency plugin resolves the POMs over HTTPS without extra setup. */
export const MIN_MAVEN = [3, 8] as const;

/**
 * Checks that `javaBin` runs and is Java 17+; returns its major version.
 * @throws LocalServicesError naming what to install or which variables to set.
 */
export function checkJava(javaBin: string = 'java'): number {
  const out = spawnSync(javaBin, ['-version'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new LocalServicesError(
      `Local mode needs Java ${MIN_JAVA_MAJOR}+ to run Kafka and DynamoDB Local, but '${javaBin}' ` +
      `could not be run (${out.error?.message ?? `exit ${out.status}`}). Install a JDK or JRE ` +
      `${MIN_JAVA_MAJOR}+ (for example 'apt-get install openjdk-17-jre-headless' or ` +
      `https://adoptium.net) and put 'java' on PATH. ${USE_EXISTING_HINT}`,
    );
  }
  const major = parseJavaMajor(`${out.stderr}${out.stdout}`);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new LocalServicesError(
      `Local mode needs Java ${MIN_JAVA_MAJOR}+, but '${javaBin}' is version ${major ?? 'unknown'}. ` +
      `Install Java ${MIN_JAVA_MAJOR}+ and put it first on PATH. ${USE_EXISTING_HINT}`,
    );
  }
  return major;
}

/**
 * Checks that `mvnBin` runs and is Maven 3.8+. Only needed for the first fetch of the jars.
 * @throws LocalServicesError naming what to install or which variables to set.
 */
export function checkMaven(mvnBin: string = 'mvn'): string {
  const out = spawnSync(mvnBin, ['-v', '-B'], { encoding: 'utf8' });
  if (out.error || out.status !== 0) {
    throw new LocalServicesError(
      `Local mode fetches Kafka and DynamoDB Local from Maven Central once, which needs Maven ` +
      `${MIN_MAVEN.join('.')}+, but '${mvnBin}' could not be run (${out.error?.message ?? `exit ${out.status}`}). ` +
      `Install Maven ${MIN_MAVEN.join('.')}+ (for example 'apt-get install maven' or ` +
      `https://maven.apache.org/download.cgi) and put 'mvn' on PATH. ${USE_EXISTING_HINT}`,
    );
  }
  const m = /Apache Maven (\d+)\.(\d+)\.?(\d+)?/.exec(out.stdout);
  const version = m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : 'unknown';
  if (!m || Number(m[1]) < MIN_MAVEN[0] || (Number(m[1]) === MIN_MAVEN[0] && Number(m[2]) < MIN_MAVEN[1])) {
    throw new LocalServicesError(
      `Local mode needs Maven ${MIN_MAVEN.join('.')}+, but '${mvnBin}' is version ${version}. ` +
      `Install a newer Maven. ${USE_EXISTING_HINT}`,
    );
  }
  return version;
}

/** `java -version` prints `version "17.0.15"` or, before Java 9, `version "1.8.0_392"`. */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}
