import * as fs from 'fs';

/** CPU time in ms so far: this process (main thread and worker threads), one JVM found by a port on its command line, and the whole machine. */
export interface CpuSample {
  readonly node: number;
  readonly jvm: number | null;
  readonly machine: number;
}

/** Linux clock ticks are 10 ms (USER_HZ 100). */
const TICK_MS = 10;

/** The pid of the process whose command line has an argument containing `marker` and one equal to `port`, if one runs here. */
export function jvmPid(marker: string, port: string): number | undefined {
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((a) => a.includes(marker)) && cmdline.includes(port)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** The DynamoDB Local JVM serving `endpoint` (its main class and `-port <n>` on its command line), if it runs here. */
export function dynamodbLocalPid(endpoint: string): number | undefined {
  return jvmPid('software.amazon.dynamodb.services.local.main.ServerRunner', new URL(endpoint).port);
}

/** utime + stime of `pid` (fields 14 and 15 of /proc/<pid>/stat), ms. */
function processCpuMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Busy time of all CPUs (user, nice, system, irq, softirq, steal of /proc/stat's first line), ms. */
function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

export function cpuSample(jvm?: number): CpuSample {
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1000, jvm: jvm === undefined ? null : processCpuMs(jvm), machine: machineBusyMs() };
}

/** CPU ms per event between two samples, rounded to 0.01 ms. */
export function cpuPerEvent(from: CpuSample, to: CpuSample, events: number) {
  const per = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round(((b - a) / events) * 100) / 100);
  return { node: per(from.node, to.node), dynamodbLocal: per(from.jvm, to.jvm), machine: per(from.machine, to.machine) };
}
