/**
 * CPU% and RSS of processes by pid, read from /proc/<pid>/stat and /proc/<pid>/status (Linux; no
 * native dependency). CPU% is the process's user+system time over wall time between two samples,
 * so 100 means one full core.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ProcessSample {
  pid: number;
  /** Milliseconds since the epoch. */
  at: number;
  cpuPercent: number;
  rssBytes: number;
}

/** USER_HZ: the unit of /proc CPU times. */
export function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    // getconf missing: Linux has used 100 ticks per second on every common architecture.
    return 100;
  }
}

/** utime + stime in clock ticks, from /proc/<pid>/stat (fields 14 and 15, after the command name). */
export function parseCpuTicks(stat: string): number {
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state); utime is field 14, stime field 15.
  return Number(afterName[11]) + Number(afterName[12]);
}

/** VmRSS in bytes, from /proc/<pid>/status. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

export interface ProcessSampler {
  /** Takes one sample of every pid still alive. */
  sample(): Promise<ProcessSample[]>;
  samples(): readonly ProcessSample[];
}

export function processSampler(pids: readonly number[]): ProcessSampler {
  const ticksPerSecond = clockTicksPerSecond();
  const last = new Map<number, { ticks: number; at: number }>();
  const samples: ProcessSample[] = [];
  return {
    samples: () => samples,
    async sample() {
      const taken: ProcessSample[] = [];
      for (const pid of pids) {
        let stat: string;
        let status: string;
        try {
          [stat, status] = await Promise.all([
            readFile(`/proc/${pid}/stat`, 'utf8'),
            readFile(`/proc/${pid}/status`, 'utf8'),
          ]);
        } catch {
          // The process has exited (or was killed on purpose by a fault run): no sample.
          last.delete(pid);
          continue;
        }
        const at = Date.now();
        const ticks = parseCpuTicks(stat);
        const previous = last.get(pid);
        last.set(pid, { ticks, at });
        if (previous === undefined || at <= previous.at) continue;
        const cpuSeconds = (ticks - previous.ticks) / ticksPerSecond;
        taken.push({
          pid,
          at,
          cpuPercent: (cpuSeconds / ((at - previous.at) / 1000)) * 100,
          rssBytes: parseRssBytes(status),
        });
      }
      samples.push(...taken);
      return taken;
    },
  };
}
