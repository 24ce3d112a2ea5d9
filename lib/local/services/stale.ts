import * as fs from 'fs';
import * as path from 'path';

/**
 * Every data directory holds `owner.json` naming the Node process that started the JVM.
 * If that Node process was SIGKILLed its exit hook never ran; the next start finds the
 * orphaned JVM here and kills it, so a JVM outlives its owner only until the next start.
 */
export interface OwnerRecord {
  readonly ownerPid: number;
  readonly jvmPid: number;
}

export function writeOwner(dataDir: string, jvmPid: number): void {
  fs.writeFileSync(path.join(dataDir, 'owner.json'), JSON.stringify({ ownerPid: process.pid, jvmPid } satisfies OwnerRecord));
}

/** Kills JVMs whose owner is gone and removes their data directories. Returns the pids killed. */
export function reapOrphans(dataRoot: string): number[] {
  const killed: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dataRoot);
  } catch {
    return killed;
  }
  for (const entry of entries) {
    const dir = path.join(dataRoot, entry);
    let owner: OwnerRecord;
    try {
      owner = JSON.parse(fs.readFileSync(path.join(dir, 'owner.json'), 'utf8'));
    } catch {
      continue;
    }
    if (isAlive(owner.ownerPid)) continue;
    // Only a process whose command line names this directory is ours: pids get reused.
    if (isAlive(owner.jvmPid) && cmdline(owner.jvmPid).includes(dir)) {
      try {
        process.kill(owner.jvmPid, 'SIGKILL');
        killed.push(owner.jvmPid);
      } catch {
        // gone meanwhile
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return killed;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
