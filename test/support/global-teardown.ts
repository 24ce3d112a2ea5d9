import * as fs from 'fs';
import { isAlive } from '../../lib/local/services';
import { JestServicesState, STATE_FILE } from './global-setup';

/**
 * Jest global teardown for the `integration` project: stops what global setup started (never
 * services named by the environment) and makes sure no JVM it started is left running.
 */
export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__LOCAL_SERVICES__;
  globalThis.__LOCAL_SERVICES__ = undefined;
  await services?.stop();
  let state: JestServicesState | undefined;
  try {
    state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return;
  }
  // Only this run's record: another run may be using the same repository.
  if (state?.ownerPid !== process.pid) return;
  for (const pid of state.pids) {
    if (isAlive(pid) && isLocalServicesJvm(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
  fs.rmSync(STATE_FILE, { force: true });
}

/** Pids get reused: only a JVM launched by lib/local/services carries this property. */
function isLocalServicesJvm(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('-Dlocal.services.dir=');
  } catch {
    return false;
  }
}
