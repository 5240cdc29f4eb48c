/**
 * CPU time of the devnet's processes, from Linux's /proc: how a crash's work splits between the
 * three nodes, the relayer and the demo itself, and how much of the machine was busy. On a
 * machine of two cores, a figure that waits on "the node" is only a fix in the relayer if the
 * machine had time to spare. Elsewhere (no /proc) every reading is null and the demo says so.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Linux reports process and machine CPU time in clock ticks of 1/100 s (USER_HZ on every common platform). */
const TICKS_PER_SECOND = 100;

/** Seconds of CPU (user + system) the process has used, or null where /proc cannot tell. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Seconds of CPU every core of the machine spent busy (not idle, not waiting for the disk), or null. */
export function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, ...ticks] = line.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
    return (total - ticks[3]! - ticks[4]!) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export interface CpuShare {
  name: string;
  /** CPU seconds used in the window */
  seconds: number;
}

export interface CpuWindow {
  wallSeconds: number;
  cores: number;
  /** busy seconds of the whole machine over the window (at most wallSeconds × cores) */
  machineBusySeconds: number | null;
  processes: CpuShare[];
}

/** CPU use of named processes from now until `end()`. */
export class CpuSampler {
  private readonly started = Date.now();
  private readonly machine = machineBusySeconds();
  private readonly before: Map<string, number | null>;

  constructor(private readonly pids: ReadonlyArray<{ name: string; pid: number }>) {
    this.before = new Map(pids.map((p) => [p.name, processCpuSeconds(p.pid)]));
  }

  end(): CpuWindow {
    const machine = machineBusySeconds();
    return {
      wallSeconds: round((Date.now() - this.started) / 1000),
      cores: cpus().length,
      machineBusySeconds: machine !== null && this.machine !== null ? round(machine - this.machine) : null,
      processes: this.pids.flatMap(({ name, pid }) => {
        const [from, to] = [this.before.get(name), processCpuSeconds(pid)];
        return from != null && to !== null ? [{ name, seconds: round(to - from) }] : [];
      }),
    };
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
