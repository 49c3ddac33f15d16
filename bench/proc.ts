import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Process plumbing for the bench: pinning, /proc readings, free ports, starting and stopping the
 * processes under test. Linux only (/proc); pinning is skipped when taskset is missing.
 */

/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((path) => existsSync(path));

/** Core the service under test runs on; the load generator takes the other one. */
export const SERVER_CORE = 0;
export const DRIVER_CORE = 1;

/** utime + stime of a process, in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; count fields from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Peak resident set size of a process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

export interface CpuTimes {
  busy: number;
  total: number;
}

/** Busy and total jiffies per core from /proc/stat, to tell how busy the machine was. */
export function machineCpuTimes(): CpuTimes[] {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line))
    .map((line) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
      const busy = user! + nice! + system! + irq! + softirq! + steal!;
      return { busy, total: busy + idle! + iowait! };
    });
}

/** Per-core busy percentage between two readings. */
export function busyPercent(before: CpuTimes[], after: CpuTimes[]): number[] {
  return after.map((a, i) => {
    const b = before[i] ?? { busy: 0, total: 0 };
    const total = a.total - b.total;
    return total > 0 ? Math.round(((a.busy - b.busy) * 1000) / total) / 10 : 0;
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PinnedProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Everything the process printed, for error messages. */
  output: string[];
  /** Resolves once a printed line contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `node <script>` on the server core (taskset execs node, so the pid is node's). */
export function spawnPinnedNode(name: string, script: string, env: Record<string, string>, args: string[] = []): PinnedProcess {
  const command = TASKSET ? [TASKSET, '-c', String(SERVER_CORE), process.execPath] : [process.execPath];
  // BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops (read it with cpu-profile.ts).
  const prof = name === 'service' && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(command[0]!, [...command.slice(1), ...prof, script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const listeners: Array<() => void> = [];
  const onData = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    // Keep memory bounded when a process is chatty.
    if (output.length > 2000) output.splice(0, output.length - 1000);
    listeners.splice(0).forEach((listener) => listener());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => listeners.splice(0).forEach((listener) => listener()));

  const waitFor = (text: string, timeoutMs = 30000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: "${text}" not seen in ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
      const check = () => {
        const line = output.find((l) => l.includes(text));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(line);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${output.join('\n')}`));
        } else {
          listeners.push(check);
        }
      };
      check();
    });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  };
  return { name, child, pid: child.pid!, output, waitFor, stop };
}
