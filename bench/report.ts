import type { LoadResult } from './load';

/** One measured (or pending) scenario as it goes to the table and the JSON file. */
export interface ScenarioResult {
  id: string;
  title: string;
  /** "c64" for closed loops, "200/s" for fixed rates. */
  load: string;
  target: string;
  pending?: string;
  load_result?: LoadResult;
  serverCpuMsPerOp?: number;
  sqlPerOp?: number;
  peakRssMb?: number;
  /** Busy percentage of each core during the window (server core first). */
  coreBusyPercent?: number[];
  /** From bench/targets.ts `verdict`. */
  verdict?: string;
  /** A worker scenario's measurement: operations done, wall seconds, CPU of the worker process. */
  worker?: { operations: number; seconds: number; cpuMs: number };
}

const fixed = (value: number | undefined, digits: number) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits));

export function printTable(rows: ScenarioResult[]): string {
  const header = ['scenario', 'load', 'ops/s', 'p50 ms', 'p99 ms', 'CPU ms/op', 'HTTP/op', 'SQL/op', 'RSS MB', 'errors', 'core0/1 busy %', 'target', 'verdict'];
  const lines = rows.map((row) => {
    if (row.pending) return [row.title, '—', row.pending, '', '', '', '', '', '', '', '', row.target, ''];
    if (row.worker) {
      const w = row.worker;
      const perSecond = row.id === 'erase-person' ? `${fixed(w.seconds, 3)} s` : fixed(w.operations / w.seconds, 0);
      return [row.title, 'worker', perSecond, '', '', fixed(w.cpuMs / w.operations, 3), '', '', '', '0', '', row.target, row.verdict ?? ''];
    }
    const r = row.load_result!;
    return [
      row.title,
      row.load,
      fixed(r.perSecond, 1),
      fixed(r.p50Ms, 2),
      fixed(r.p99Ms, 2),
      fixed(row.serverCpuMsPerOp, 3),
      fixed(r.requestsPerOp, 2),
      fixed(row.sqlPerOp, 2),
      fixed(row.peakRssMb, 0),
      r.errors ? `${r.errors}: ${(r.firstError ?? '').slice(0, 60)}` : '0',
      (row.coreBusyPercent ?? []).map((p) => p.toFixed(0)).join('/'),
      row.target,
      row.verdict ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => String(line[i]).length)));
  const render = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}
