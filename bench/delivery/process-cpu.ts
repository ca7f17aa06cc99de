/**
 * CPU time of another process on this machine (Linux /proc), so a benchmark can count what the
 * broker spends per delivery beside what we spend. Undefined where /proc or the process is absent.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The id of the first process running `program` whose arguments contain every one of `parts`. */
export function findProcess(program: string, ...parts: string[]): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined; // not Linux: no broker CPU figures
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const [argv0 = '', ...rest] = cmdline.split('\0');
    if (argv0.split('/').at(-1) !== program) continue;
    const args = rest.join(' ');
    if (parts.every((p) => args.includes(p))) return Number(entry);
  }
  return undefined;
}

/** User + system CPU time of a process in microseconds, or undefined when it cannot be read. */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1_000_000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}
