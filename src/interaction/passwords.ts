import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing runs at most this many at a time; the others wait their turn. Each argon2id computation holds
 * 19 MiB for its duration, and more of them at once than there are cores to run them gains no throughput: unbounded
 * (as many as the thread pool runs, four by default), a burst of logins costs 76 MiB instead of 19 MiB per core.
 * `availableParallelism` counts the cores this process may use (its CPU affinity included).
 */
export const MAX_CONCURRENT = Math.max(1, Math.min(4, availableParallelism()));
let running = 0;
const waiting: (() => void)[] = [];

export async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next in line, or free it.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** argon2id with the library defaults (19 MiB, t=2, p=1: OWASP's first recommendation). */
export const hashPassword = (password: string): Promise<string> =>
  limited(() => hash(password, { algorithm: 2 /* Algorithm.Argon2id (a const enum) */ }));

// Verifying against a real hash for unknown usernames keeps the response time from revealing which accounts exist.
let dummy: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummy ??= hashPassword('latchkey-dummy-password');
    const known = await dummy;
    await limited(() => verify(known, password)).catch(() => false);
    return false;
  }
  try {
    return await limited(() => verify(storedHash, password));
  } catch {
    return false;
  }
}
