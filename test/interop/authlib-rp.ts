import { join } from 'node:path';
import { runsOk } from './relying-party.ts';

/**
 * The Authlib relying party (authlib_rp.py) as tests start it. Debian's /usr/bin/python3 on purpose: Debian's
 * python3-authlib installs there, not into a pyenv or venv interpreter that may come first on the PATH.
 */

export const PYTHON = process.env['LATCHKEY_PYTHON'] ?? '/usr/bin/python3';
export const AUTHLIB_SCRIPT = join(import.meta.dirname, 'authlib_rp.py');
export const AUTHLIB_HINT = `Authlib not importable by ${PYTHON}: install it with \`apt-get install python3-authlib python3-requests\` (or set LATCHKEY_PYTHON)`;
export const authlibAvailable = (): boolean => runsOk(PYTHON, ['-c', 'import authlib, requests, cryptography']);

/** The script's command-line arguments for a client registered on the server at `issuer`. */
export const authlibArgs = (issuer: string, client: { id: string; secret: string; redirect: string }, extra: string[] = []): string[] => [
  AUTHLIB_SCRIPT, issuer, client.id, client.secret, client.redirect, ...extra,
];
