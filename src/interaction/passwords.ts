import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library defaults (19 MiB, t=2, p=1: OWASP's first recommendation). */
export const hashPassword = (password: string): Promise<string> => hash(password, { algorithm: 2 /* Algorithm.Argon2id (a const enum) */ });

// Verifying against a real hash for unknown usernames keeps the response time from revealing which accounts exist.
let dummy: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummy ??= hashPassword('latchkey-dummy-password');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
