#!/usr/bin/env node
// The `latchkey` command. Runs the TypeScript sources directly on Node 24 (type stripping), or the built JS in dist/
// when present (npm run build), under a Node that has node:sqlite (see node24.mjs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pickNode } from './node24.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'index.js');
const entry = process.env.LATCHKEY_USE_SOURCE !== '1' && existsSync(built) ? built : join(root, 'src', 'cli', 'index.ts');
const child = spawn(pickNode(), ['--disable-warning=ExperimentalWarning', entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
