/**
 * CPU accounting from /proc (Linux; the readers return null or nothing elsewhere), for benchmarks that share the
 * machine with the servers they drive and must say who spent the cores.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process, in ticks; null when it is gone (or there is no /proc). */
export function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** Microseconds of CPU a request from two tick readings; null when either is missing or nothing completed. */
export function cpuUsPerRequest(
  before: number | null,
  after: number | null,
  requests: number,
): number | null {
  return before !== null && after !== null && requests > 0
    ? Math.round(((after - before) * 1e6) / TICKS_PER_SECOND / requests)
    : null;
}

/** cutime + cstime of this process: the CPU of the children it has reaped (a load generator run to its end). */
export function reapedChildrenTicks(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[13]) + Number(fields[14]);
  } catch {
    return null;
  }
}

/** Busy ticks of the whole machine, summed over its cores. */
export function machineBusyTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return user! + nice! + system! + irq! + softirq! + steal!;
  } catch {
    return null;
  }
}

export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
