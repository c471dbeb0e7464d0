/**
 * `npm run bench:signing`: what each signing algorithm costs, with keys prepared as the keyring prepares them
 * (core/keys/keyring.ts: decrypted once, KeyObjects reused), on a payload the size of an ID token. Signing goes
 * through the keyring itself; verification through node:crypto and through jose (what relying parties run).
 *
 *   npm run bench:signing                 every algorithm, 2 s each
 *   npm run bench:signing -- --seconds 5
 */
import { createPublicKey, verify } from 'node:crypto';
import { parseArgs } from 'node:util';
import { compactVerify, importJWK } from 'jose';
import { FakeClock } from '../src/core/clock.ts';
import { SIGNING_ALGS, type SigningAlg } from '../src/core/keys/algorithms.ts';
import { newKek } from '../src/core/keys/kek.ts';
import { createKeyring } from '../src/core/keys/keyring.ts';
import type { SigningKey } from '../src/core/keys/port.ts';
import { ensureKeys } from '../src/core/keys/rotation.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);

const rows: SigningKey[] = [];
const store = { list: async () => rows, create: async (k: SigningKey) => void rows.push(k), setRetirement: async () => true, deleteExpired: async () => 0 };
const kek = newKek();
const clock = new FakeClock();
await ensureKeys(store, kek, clock.now(), { rotateAfterSeconds: 0, publishAheadSeconds: 600, retainSeconds: 3660 });
const keyring = createKeyring({ store, kek, clock, cacheTtlMs: 60_000 });
await keyring.reload();

const payload = {
  iss: 'https://auth.example.com',
  sub: '6c1b2f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  aud: 'web-app',
  exp: clock.now() + 3600,
  iat: clock.now(),
  auth_time: clock.now() - 30,
  nonce: 'n-0S6_WzA2Mj',
  at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
  sid: '08a5019c-17e1-4977-8f42-65a12843ea02',
};

/** Runs `op` in batches until `seconds` have passed; the rate is operations per second of work done. */
async function rate(op: () => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await op();
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await op();
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

const digest: Record<SigningAlg, string | null> = { RS256: 'sha256', ES256: 'sha256', EdDSA: null };
const results: { alg: SigningAlg; sign: number; verify: number; jose: number; bytes: number }[] = [];
for (const alg of SIGNING_ALGS) {
  const jwt = await keyring.sign(payload, { alg });
  const jwk = (await keyring.jwks()).keys.find((k) => k.alg === alg);
  if (!jwk) throw new Error(`no ${alg} key`);
  const publicKey = createPublicKey({ key: { ...jwk }, format: 'jwk' });
  const joseKey = await importJWK({ ...jwk }, alg);
  const [h, p, s] = jwt.split('.');
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s ?? '', 'base64url');
  const options = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  if (!verify(digest[alg], data, options, signature)) throw new Error(`${alg}: signature does not verify`);
  results.push({
    alg,
    sign: await rate(() => keyring.sign(payload, { alg })),
    verify: await rate(() => verify(digest[alg], data, options, signature)),
    jose: await rate(() => compactVerify(jwt, joseKey)),
    bytes: jwt.length,
  });
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(6) : c.padStart(16))).join('  ');
console.log(`signing: one core, ${seconds} s per measurement, Node ${process.version}, an ID-token-sized payload`);
console.log(line(['alg', 'sign/s (keyring)', 'verify/s (node)', 'verify/s (jose)', 'JWT bytes']));
for (const r of results) console.log(line([r.alg, fmt(r.sign), fmt(r.verify), fmt(r.jose), String(r.bytes)]));
