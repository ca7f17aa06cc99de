/**
 * Where a run's CPU went: each named process's CPU time over a window (the load and its drain),
 * the whole machine's, and what is left over (the kernel's network stack, anything unnamed), as
 * CPU microseconds per change. The machine's figure per change says how many changes per second
 * its cores could carry at these costs, whatever runs where: the capacity bound of a run in which
 * the generator, the broker, the service and the receiver share one machine.
 */
import { cpus } from 'node:os';
import { readFile } from 'node:fs/promises';
import { clockTicksPerSecond, parseCpuTicks } from './process-sampler.js';

export interface NamedProcess {
  name: string;
  pid: number;
}

/** Cumulative CPU ticks of the named processes (absent: exited or unreadable) and of the machine. */
export interface CpuReading {
  /** Milliseconds since the epoch. */
  at: number;
  processes: Map<string, number>;
  machineBusyTicks: number;
}

export interface CpuBudgetRow {
  name: string;
  pid?: number;
  cpuSeconds: number;
  /** Of one core over the window: 100 is a whole core. */
  corePercent: number;
  microsPerChange: number;
}

export interface CpuBudget {
  windowSeconds: number;
  changes: number;
  cores: number;
  rows: CpuBudgetRow[];
  /** The machine minus the named processes: the kernel's share of loopback traffic, unnamed processes. */
  other: CpuBudgetRow;
  machine: CpuBudgetRow;
  /** Changes per second the machine's cores would carry at the machine's CPU cost per change. */
  capacityPerSecond: number;
}

/**
 * Busy ticks of all cores from the first line of /proc/stat: user, nice, system, irq, softirq and
 * steal (idle and iowait left out; guest time is already counted in user).
 */
export function parseMachineBusyTicks(procStat: string): number {
  const line = procStat.split('\n', 1)[0] ?? '';
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu') throw new Error(`not a /proc/stat cpu line: ${line.slice(0, 40)}`);
  const [user, nice, system, , , irq, softirq, steal] = fields.slice(1, 9).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/** The budget between two readings; a process missing from either is left out (it exited). */
export function budgetBetween(o: {
  before: CpuReading;
  after: CpuReading;
  processes: readonly NamedProcess[];
  changes: number;
  ticksPerSecond: number;
  cores: number;
}): CpuBudget {
  const windowSeconds = Math.max((o.after.at - o.before.at) / 1000, 1e-3);
  const row = (name: string, ticks: number, pid?: number): CpuBudgetRow => {
    const cpuSeconds = ticks / o.ticksPerSecond;
    return {
      name,
      ...(pid !== undefined ? { pid } : {}),
      cpuSeconds,
      corePercent: (cpuSeconds / windowSeconds) * 100,
      microsPerChange: o.changes > 0 ? (cpuSeconds * 1e6) / o.changes : Number.NaN,
    };
  };
  const rows: CpuBudgetRow[] = [];
  for (const p of o.processes) {
    const start = o.before.processes.get(p.name);
    const end = o.after.processes.get(p.name);
    if (start === undefined || end === undefined) continue;
    rows.push(row(p.name, end - start, p.pid));
  }
  const machineTicks = o.after.machineBusyTicks - o.before.machineBusyTicks;
  const namedTicks = rows.reduce((sum, r) => sum + r.cpuSeconds * o.ticksPerSecond, 0);
  const machine = row('machine', machineTicks);
  return {
    windowSeconds,
    changes: o.changes,
    cores: o.cores,
    rows,
    other: row('other (kernel, unnamed processes)', Math.max(machineTicks - namedTicks, 0)),
    machine,
    capacityPerSecond: machine.microsPerChange > 0 ? (o.cores * 1e6) / machine.microsPerChange : Number.NaN,
  };
}

async function readCpu(processes: readonly NamedProcess[]): Promise<CpuReading> {
  const readings = await Promise.all(
    processes.map(async (p) => {
      try {
        return [p.name, parseCpuTicks(await readFile(`/proc/${p.pid}/stat`, 'utf8'))] as const;
      } catch {
        // Exited (or killed by a fault run) before the window closed: left out of the budget.
        return undefined;
      }
    }),
  );
  return {
    at: Date.now(),
    processes: new Map(readings.filter((r) => r !== undefined)),
    machineBusyTicks: parseMachineBusyTicks(await readFile('/proc/stat', 'utf8')),
  };
}

export interface CpuBudgetWindow {
  /** Closes the window opened by `openCpuBudget` over `changes` changes. */
  close(changes: number): Promise<CpuBudget>;
}

/** Opens a budget window over these processes now (Linux /proc; no native dependency). */
export async function openCpuBudget(processes: readonly NamedProcess[]): Promise<CpuBudgetWindow> {
  const ticksPerSecond = clockTicksPerSecond();
  const before = await readCpu(processes);
  return {
    async close(changes) {
      const after = await readCpu(processes);
      return budgetBetween({ before, after, processes, changes, ticksPerSecond, cores: cpus().length });
    },
  };
}
