/**
 * Where a V8 CPU profile (.cpuprofile, from --cpu-prof or the benchmarks' BENCH_CPU_PROFILE) spent
 * its time, as text: self time by function and by package (node_modules/<pkg>, node: internals,
 * the project's own code, GC), so that a benchmark's note can say what limits it without DevTools.
 * Usage: node dist/scripts/cpu-profile-summary.js <file.cpuprofile> [top=25] [since] [until]
 * since / until (ISO times, e.g. 2026-12-02T09:28:16Z) keep only the samples of that window, such as
 * a benchmark's measured phase; the profile's clock is anchored at the file's modification time,
 * which is when the process exited and wrote it.
 */
import { readFileSync, statSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package a frame belongs to: node_modules/<pkg> (scoped too), node internals, ours, or V8's own. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  if (url.startsWith('node:')) return 'node:internals';
  const ours = /\/dist\/(apps\/[^/]+|libs\/[^/]+|scripts)\//.exec(url);
  return ours ? ours[1] : url;
}

function top(map: Map<string, number>, total: number, n: number): string[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

function main(): void {
  const [file, n = '25', since, until] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/scripts/cpu-profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  // Wall-clock window in the profile's own microseconds: its end is the file's mtime.
  const endWallUs = statSync(file).mtimeMs * 1000;
  const toProfileUs = (iso: string | undefined, fallback: number) => (iso ? profile.endTime - (endWallUs - Date.parse(iso) * 1000) : fallback);
  const from = toProfileUs(since, -Infinity);
  const to = toProfileUs(until, Infinity);
  // Self time of each node: the time deltas of the samples that landed on it.
  const self = new Map<number, number>();
  let t = profile.startTime;
  let windowStart = Infinity;
  let windowEnd = -Infinity;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < from || t > to) return;
    windowStart = Math.min(windowStart, t);
    windowEnd = Math.max(windowEnd, t);
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const wall = Math.max(1, windowEnd - windowStart);
  console.log(`${file}: ${(wall / 1e6).toFixed(1)} s profiled, busy ${(total / 1e6).toFixed(1)} s (${((100 * total) / wall).toFixed(0)} %), idle ${(idle / 1e6).toFixed(1)} s`);
  console.log('\nself time by package:');
  for (const line of top(byPackage, total, Number(n))) console.log(line);
  console.log('\nself time by function:');
  for (const line of top(byFunction, total, Number(n))) console.log(line);
}

if (require.main === module) main();
