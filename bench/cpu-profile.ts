import { readFileSync } from 'node:fs';

/**
 * `node dist/bench/cpu-profile.js <file.cpuprofile> [fromSeconds toSeconds]`: where the service's
 * CPU went, from the profile `BENCH_CPU_PROF=<dir> npm run bench` makes (the service is started
 * with `--cpu-prof`). Without a range it prints the busy share of each second of the run, to find
 * the measured window; with one, the busy time in that range by package or file (inclusive) and
 * by function (self).
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function bucketOf(frame: ProfileNode['callFrame']): string {
  const url = frame.url || frame.functionName;
  if (url.includes('node_modules/')) {
    const parts = url.split('node_modules/').pop()!.split('/');
    return `npm:${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  return url.replace(/^file:\/\/.*\/dist\//, '');
}

function main(): void {
  const [file, from, to] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile.js <file.cpuprofile> [fromSeconds toSeconds]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const perSecond = new Map<number, number>();
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  let busy = 0;
  let t = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') return;
    const second = Math.floor(t / 1e6);
    perSecond.set(second, (perSecond.get(second) ?? 0) + dt);
    if (from === undefined || t / 1e6 < Number(from) || t / 1e6 > Number(to)) return;
    busy += dt;
    const frame = node.callFrame;
    const fn = `${frame.functionName || '(anonymous)'} ${bucketOf(frame)}:${frame.lineNumber}`;
    self.set(fn, (self.get(fn) ?? 0) + dt);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const bucket = bucketOf(byId.get(x)!.callFrame);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      inclusive.set(bucket, (inclusive.get(bucket) ?? 0) + dt);
    }
  });
  if (from === undefined) {
    console.log([...perSecond].map(([s, us]) => `${s}s:${Math.round(us / 1e4)}%`).join(' '));
    return;
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, us]) => console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`));
  console.log(`busy ${(busy / 1000).toFixed(0)} ms between ${from} s and ${to} s`);
  console.log('--- inclusive, by package or file');
  top(inclusive, 40);
  console.log('--- self, by function');
  top(self, 40);
}

main();
