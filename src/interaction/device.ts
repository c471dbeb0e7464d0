import type { Config } from '../config/schema.ts';
import type { CoreDeps } from '../core/context.ts';
import type { DeviceCode } from '../core/device/port.ts';
import { formatUserCode, normaliseUserCode, userCodeKey } from '../core/device/user-code.ts';
import { sessionStrength } from '../core/oidc/acr.ts';
import type { Client, Scope, Session, User } from '../core/model.ts';
import { refusal } from '../core/user-standing.ts';
import type { ThrottleRepository } from '../core/repositories.ts';

/**
 * The person's side of the device authorization grant (RFC 8628 §3.3): look up the code they typed, then record
 * their answer. The pages and routes are in views/device.ts and http/device-routes.ts.
 */

/** The all-addresses key: every wrong code counts here as well, whoever types it (§5.1). */
const GLOBAL_KEY = 'device:all';
const addressKey = (address: string) => `device:ip:${address}`;

/**
 * RFC 8628 §5.1: the user code has little entropy, so wrong codes are rate-limited, per address and over all
 * addresses together (a guesser with many addresses still meets the second). The throttle table counts the attempt
 * before the lookup (login-throttle style: parallel guesses cannot all pass), with exponential backoff once the free
 * failures are used up; a code that exists gives the attempt back.
 */
export function deviceThrottle(repo: ThrottleRepository, config: Pick<Config, 'deviceFlow' | 'rateLimit'>) {
  const backoff = (free: number) => (failures: number) => (failures < free ? 0 : Math.min(config.rateLimit.loginMaxLockSeconds, 2 ** (failures - free)));
  return {
    /** Seconds to wait when refused, else 0 (the attempt is counted as a failure until `found`). */
    async attempt(address: string, now: number): Promise<number> {
      const r = await repo.attempt(
        [
          { key: addressKey(address), lockFor: backoff(config.deviceFlow.freeFailuresPerAddress) },
          { key: GLOBAL_KEY, lockFor: backoff(config.deviceFlow.freeFailures) },
        ],
        now,
        config.rateLimit.loginFailureWindowSeconds,
      );
      return r.allowed ? 0 : Math.max(1, r.lockedUntil - now);
    },
    async found(address: string): Promise<void> {
      await repo.discount(addressKey(address));
      await repo.discount(GLOBAL_KEY);
    },
  };
}
export type DeviceThrottle = ReturnType<typeof deviceThrottle>;

export type DeviceLookup =
  | { kind: 'pending'; code: DeviceCode; userCode: string; client: Client; scopes: Scope[]; resources: { id: string; name: string }[] }
  | { kind: 'refused'; status: number; error: string }
  | { kind: 'ended'; heading: string; text: string };

/** The code a person typed, if it names a pending request they may answer. */
export async function lookUpUserCode(deps: CoreDeps, throttle: DeviceThrottle, typed: string, address: string): Promise<DeviceLookup> {
  const normalised = normaliseUserCode(typed);
  // Cannot be a code at all: nothing to guess, so not counted.
  if (normalised === undefined) return { kind: 'refused', status: 400, error: 'A code has 8 letters, like BCDF-GHJK. Check the code on your device and type it again.' };
  const now = deps.clock.now();
  const wait = await throttle.attempt(address, now);
  if (wait > 0) return { kind: 'refused', status: 429, error: `Too many wrong codes. Try again in ${wait} second${wait === 1 ? '' : 's'}.` };
  const code = await deps.repos.deviceCodes.findByUserCode(userCodeKey(normalised));
  const client = code && (await deps.repos.clients.findById(code.clientId));
  if (!code || !client) {
    deps.logger.info({ event: 'device_code_wrong', address }, 'wrong device user code');
    return { kind: 'refused', status: 400, error: 'That code is not right. Check the code on your device and type it again.' };
  }
  await throttle.found(address);
  if (code.status !== 'pending') return { kind: 'ended', heading: 'Code already used', text: 'This code has already been used. If you still want to connect the device, start again on the device to get a new code.' };
  if (code.expiresAt <= now) return { kind: 'ended', heading: 'Code expired', text: 'This code has expired. Start again on the device to get a new code.' };
  return { kind: 'pending', code, userCode: formatUserCode(normalised), client, scopes: await deps.repos.scopes.findMany(code.scope), resources: await resourceNames(deps, code.resources) };
}

/**
 * RFC 8707: the APIs the device asks access to, named on the page as the code flow's consent page names them. One
 * deleted since the request shows by its identifier (the token request will then be refused with invalid_target).
 */
async function resourceNames(deps: CoreDeps, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  const out: { id: string; name: string }[] = [];
  for (const id of ids) out.push({ id, name: (await deps.repos.resources.findById(id))?.name ?? id });
  return out;
}

/**
 * Records the person's answer, once (the store's conditional UPDATE: a second answer finds nothing pending). Allowing
 * binds the code to this person and to how they signed in (auth_time, sid, acr, amr for the ID token), and records
 * the consent so the application shows on /account, where it can be withdrawn. The consent never skips this page
 * (§5.4): a device code is always asked about.
 */
export async function decideDevice(
  deps: CoreDeps,
  found: Extract<DeviceLookup, { kind: 'pending' }>,
  who: { user: User; session: Session },
  allow: boolean,
  address: string,
): Promise<{ heading: string; text: string }> {
  const now = deps.clock.now();
  const audit = { actorUserId: who.user.id, clientId: found.client.id, ip: address };
  const refused = allow ? refusal(who.user, found.code.scope) : undefined;
  if (!allow || refused !== undefined) {
    if (!(await deps.repos.deviceCodes.decide(found.code.userCodeHash, { status: 'denied' }, now))) return answered;
    deps.audit.record(refused ? { type: 'authorization.denied', ...audit, details: { reason: refused } } : { type: 'consent.denied', ...audit, details: { scope: found.code.scope } });
    return refused
      ? { heading: 'Not allowed', text: `Your account may not give ${found.client.name} what it asks for. The device has been told.` }
      : { heading: 'Device denied', text: `${found.client.name} gets no access. You can close this page.` };
  }
  const signIn = sessionStrength(who.session);
  const approval = { status: 'approved' as const, userId: who.user.id, authTime: who.session.authTime, sid: who.session.sid ?? null, acr: signIn.acr, amr: signIn.amr };
  if (!(await deps.repos.deviceCodes.decide(found.code.userCodeHash, approval, now))) return answered;
  const consent = await deps.repos.consents.find(who.user.id, found.client.id);
  const scope = [...new Set([...(consent?.scope ?? []), ...found.code.scope])];
  await deps.repos.consents.upsert({ userId: who.user.id, clientId: found.client.id, scope, grantedAt: now });
  deps.audit.record({ type: 'consent.granted', ...audit, details: { scope: found.code.scope, device: true } });
  return { heading: 'Device connected', text: `${found.client.name} can now continue on your device. You can close this page.` };
}

const answered = { heading: 'Code already used', text: 'This code was answered already, or has just expired.' };
