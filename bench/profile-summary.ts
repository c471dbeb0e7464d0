import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a file of Latchkey, Node's internals, or V8's pseudo-frames. */
function area(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] ?? url;
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  if (own) return `latchkey ${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url;
  return url;
}

/**
 * The self time of a CPU profile, by function and by area (package, file, Node internals, GC): a text view of what
 * the flame chart shows, to read in the terminal.
 */
export function summariseProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = area(url, functionName || '(anonymous)');
    // A native frame is named by its JS caller: "run (native)" alone could be node:sqlite's statement or a crypto job
    // (crypto.sign runs a SignJob), which are different costs.
    const caller = where === '(native)' ? parentOf.get(id)?.callFrame : undefined;
    const via = caller ? ` <- ${caller.functionName || '(anonymous)'} ${area(caller.url, caller.functionName)}:${caller.lineNumber + 1}` : '';
    const fn = `${functionName || '(anonymous)'}  ${where}${url ? `:${lineNumber + 1}` : ''}${via}`;
    fns.set(fn, (fns.get(fn) ?? 0) + t);
    areas.set(where.startsWith('latchkey ') ? 'latchkey (own code)' : where, (areas.get(where.startsWith('latchkey ') ? 'latchkey (own code)' : where) ?? 0) + t);
  }
  const pct = (t: number) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, t]) => `  ${pct(t)}  ${k}`)
      .join('\n');
  return `self time by area (${(total / 1e6).toFixed(1)} s sampled):\n${rows(areas, 15)}\n\nself time by function (top ${top}):\n${rows(fns, top)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(1);
  }
  process.stdout.write(`${summariseProfile(file, Number(process.argv[3] ?? 40))}\n`);
}
