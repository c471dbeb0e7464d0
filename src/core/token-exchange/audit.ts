import type { Audit, AuditDetail } from '../audit.ts';
import { InvalidScope, InvalidTarget, UnauthorizedClient } from '../errors.ts';
import type { Params } from '../context.ts';
import { TOKEN_TYPE_URNS } from './subject.ts';
import type { TrustedIssuersStore } from './trusted-issuer-port.ts';
import { trustedIssuerOf } from './trusted-jwt.ts';

/**
 * The audit events of token exchange (RFC 8693) and the JWT bearer grant (RFC 7523). An exchange mints a token for a
 * user without the user present, so the log says who obtained what for whom; and the refusals of policy (§5: the
 * server decides by policy), which show a client probing beyond what it was granted. Never a token or an assertion,
 * nor a JWT's claims beyond the issuer (src/core/audit.ts).
 */

export interface ExchangeAuditContext {
  audit: Audit;
  clientId: string;
  address?: string | undefined;
}

export interface Exchanged {
  grantId: string;
  userId: string | null;
  subjectTokenType: string;
  /** Delegation only (§4.1): the actor token's type and whom it stands for (a user id, or a client id). */
  actor?: { tokenType: string; sub: string } | undefined;
  audience: string | undefined;
  scope: readonly string[];
  refreshToken: boolean;
}

export function recordExchanged(ctx: ExchangeAuditContext, e: Exchanged): void {
  const details: Record<string, AuditDetail> = {
    grantId: e.grantId,
    mode: e.actor ? 'delegation' : 'impersonation',
    subjectTokenType: e.subjectTokenType,
    ...(e.actor ? { actorTokenType: e.actor.tokenType, actor: e.actor.sub } : {}),
    audience: e.audience ?? null,
    scope: [...e.scope],
    refreshToken: e.refreshToken,
  };
  ctx.audit.record({ type: 'token.exchanged', actorClientId: ctx.clientId, clientId: ctx.clientId, userId: e.userId, ip: ctx.address, details });
}

/** The refusals worth an administrator's eye: what the policy denied (RFC 8693 §2.2.2), not a bad or expired token. */
const POLICY_REFUSALS = [UnauthorizedClient, InvalidTarget, InvalidScope] as const;

/**
 * Records a policy refusal of an exchange, then lets the caller rethrow. `issuer` only for a trusted issuer's JWT: its
 * unverified `iss` names a configured issuer, so it is not text an attacker chose.
 */
export async function recordRefusal(ctx: ExchangeAuditContext, error: unknown, params: Params, trustedIssuers: Pick<TrustedIssuersStore, 'find'>, userId?: string | null): Promise<void> {
  const refusal = POLICY_REFUSALS.find((k) => error instanceof k) ? (error as InstanceType<(typeof POLICY_REFUSALS)[number]>) : undefined;
  if (!refusal) return;
  const subject = params['subject_token'];
  const issuer = params['subject_token_type'] === TOKEN_TYPE_URNS.jwt && subject ? (await trustedIssuerOf(trustedIssuers, subject))?.issuer : undefined;
  // The short name of a known type only: the parameter is the client's free text.
  const subjectType = Object.entries(TOKEN_TYPE_URNS).find(([, urn]) => urn === params['subject_token_type'])?.[0];
  const details: Record<string, AuditDetail> = {
    reason: refusal.error,
    description: refusal.description,
    subjectTokenType: subjectType ?? null,
    mode: params['actor_token'] ? 'delegation' : 'impersonation',
    ...(issuer ? { issuer } : {}),
  };
  ctx.audit.record({ type: 'token_exchange.refused', actorClientId: ctx.clientId, clientId: ctx.clientId, userId: userId ?? null, ip: ctx.address, details });
}

export interface BearerAccepted {
  issuer: string;
  userId: string;
  grantId: string;
  scope: readonly string[];
}

/** RFC 7523 §2.1: an assertion traded for an access token; its `jti` is spent (§3 item 7), so each is logged once. */
export function recordBearerAccepted(ctx: ExchangeAuditContext, e: BearerAccepted): void {
  ctx.audit.record({ type: 'jwt_bearer.accepted', actorClientId: ctx.clientId, clientId: ctx.clientId, userId: e.userId, ip: ctx.address, details: { issuer: e.issuer, grantId: e.grantId, scope: [...e.scope] } });
}
