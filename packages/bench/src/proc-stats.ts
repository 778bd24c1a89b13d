import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** A process's CPU time (user + system, all threads) at one wall-clock moment. */
export interface CpuSample {
  /** CPU microseconds (resolution: one clock tick, usually 10 000 µs). */
  cpu_us: number;
  /** Wall-clock microseconds (performance.now). */
  wall_us: number;
}

export function sampleCpu(pid: number): CpuSample {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // Field 2 (comm) is in parentheses and may hold spaces; count fields after its closing ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so utime (field 14) and stime (field 15) are rest[11] and rest[12].
  const ticks = Number(rest[11]) + Number(rest[12]);
  if (!Number.isFinite(ticks)) throw new Error(`unreadable /proc/${String(pid)}/stat`);
  return { cpu_us: (ticks * 1e6) / CLK_TCK, wall_us: performance.now() * 1000 };
}

/** CPU and wall time between two samples, in µs, and CPU as a share of one core (0..1). */
export function cpuBetween(
  before: CpuSample,
  after: CpuSample,
): { cpu_us: number; wall_us: number; share: number } {
  const cpu = after.cpu_us - before.cpu_us;
  const wall = after.wall_us - before.wall_us;
  return { cpu_us: cpu, wall_us: wall, share: wall > 0 ? cpu / wall : 0 };
}

/** Resident set size in KiB (VmRSS), or its peak (VmHWM), from /proc/<pid>/status. */
export function readMemoryKb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${String(pid)}/status`);
  return Number(match[1]);
}

/** The soft limit on open files of this process (children inherit it). */
export function openFilesLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  if (!match?.[1] || match[1] === 'unlimited') return Number.POSITIVE_INFINITY;
  return Number(match[1]);
}

/** Machine-wide CPU time from /proc/stat, all cores added up. */
export interface SystemCpuSample {
  /** user + nice + system + irq + softirq, µs. */
  busy_us: number;
  /** Time the hypervisor gave our vCPUs to someone else, µs. */
  steal_us: number;
  wall_us: number;
}

export function sampleSystemCpu(): SystemCpuSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal ...
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const tick = (i: number): number => ((f[i] ?? 0) * 1e6) / CLK_TCK;
  return {
    busy_us: tick(0) + tick(1) + tick(2) + tick(5) + tick(6),
    steal_us: tick(7),
    wall_us: performance.now() * 1000,
  };
}

/**
 * CPU time (user + system, µs) of every process whose command name is `comm` (e.g. `postgres`:
 * the server and all its backends). A process that exits between two samples drops out of the
 * sum, so use it over windows in which they live (a pool's connections do).
 */
export function sampleNamedCpuUs(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== comm) continue;
    const f = stat.slice(close + 2).split(' ');
    // Fields after the command: state is 0, utime 11, stime 12 (man 5 proc, 14 and 15).
    total += ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
  }
  return total;
}
