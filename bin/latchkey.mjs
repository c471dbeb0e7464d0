#!/usr/bin/env node
// The `latchkey` command, under a Node that has node:sqlite (see node24.mjs). In a checkout it runs the TypeScript
// sources directly (Node 24 strips the types), so an edit never runs stale code; an installed package, which ships
// only dist/, runs the built JS. LATCHKEY_USE_DIST=1 runs dist/ from a checkout (the benchmark does).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_OPTIONS, pickNode } from './node24.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'index.ts');
const entry = process.env.LATCHKEY_USE_DIST !== '1' && existsSync(source) ? source : join(root, 'dist', 'cli', 'index.js');
const child = spawn(pickNode(), ['--disable-warning=ExperimentalWarning', ...NODE_OPTIONS, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
