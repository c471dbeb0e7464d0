import type { JwksDocument } from '../../keys/jwks.ts';
import { grantId } from '../../crypto.ts';
import { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient } from '../../errors.ts';
import { TOKEN_EXCHANGE_GRANT, type Resource, type Scope } from '../../model.ts';
import { mintAccessToken } from '../../resources/mint.ts';
import { registeredResources, requestedResources } from '../../resources/target.ts';
import { parseScope, resolveScope } from '../../scope.ts';
import { resolveParty, shortTokenType, TOKEN_TYPE_URNS, type SubjectContext } from '../../token-exchange/subject.ts';
import type { Repositories } from '../../../storage/repositories.ts';
import type { GrantDeps, GrantHandler } from '../grant.ts';
import { issueTokens } from '../issue.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'resources' | 'users' | 'trustedIssuers' | 'transaction'>;

/**
 * RFC 8693 §2.3's audience and RFC 8707's resource both name where the token will be used; Latchkey issues one audience
 * per token (as resources/target.ts tokenResource), a registered resource the client's policy lists (§2.2.2
 * invalid_target otherwise).
 */
async function exchangeTarget(repos: Repos, resource: string | undefined, audience: string | undefined, allowed: readonly string[]): Promise<Resource | undefined> {
  const ids = [...new Set([...requestedResources(resource), ...(audience ? audience.split(' ') : [])])];
  if (ids.length > 1) throw new InvalidTarget('a token is issued for one audience at a time: name one resource or audience');
  if (ids.length === 0) return undefined;
  const [target] = await registeredResources(repos, ids);
  if (!target || !allowed.includes(target.id)) throw new InvalidTarget('the client may not obtain tokens for this audience');
  return target;
}

/**
 * OAuth 2.0 Token Exchange (RFC 8693): a client trades a token it holds (the subject token, §2.1) for an access token,
 * narrower or for another audience. Without an actor token the new token simply names the subject (impersonation,
 * §1.1); with one it also names the actor in an `act` claim (delegation, §4.1), nested when the subject token was
 * itself delegated. Deny by default: a client needs the grant type and a policy (config tokenExchange.policies) that
 * allows the subject token type, the mode, the audience and the scope (§5: the server decides by policy).
 */
export function tokenExchangeGrant(repos: Repos, deps: GrantDeps & { jwks: () => Promise<JwksDocument> }, scopeCatalogue: () => Promise<readonly Scope[]>): GrantHandler {
  return {
    grantType: TOKEN_EXCHANGE_GRANT,
    parameters: ['subject_token', 'subject_token_type'],
    allowsPublicClients: false,
    async handle({ client, params, now, accessTokenTtlDefault, dpopJkt }) {
      const policy = deps.config.tokenExchange.policies.find((p) => p.client === client.id);
      if (!policy) throw new UnauthorizedClient('no token exchange policy allows this client');
      const subjectType = shortTokenType(params['subject_token_type'], 'subject_token_type');
      const actorToken = params['actor_token'];
      const actorTypeParam = params['actor_token_type'];
      // §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT be sent without it.
      if (actorToken && !actorTypeParam) throw new InvalidRequest('actor_token_type is required with actor_token');
      if (!actorToken && actorTypeParam) throw new InvalidRequest('actor_token_type is sent only with actor_token');
      const requested = params['requested_token_type'];
      if (requested !== undefined && requested !== TOKEN_TYPE_URNS.access_token) {
        throw new InvalidRequest('requested_token_type: this server issues access tokens only');
      }
      if (!policy.subjectTokenTypes.includes(subjectType)) throw new UnauthorizedClient('the client may not exchange this type of subject token');
      if (actorToken ? !policy.delegation : !policy.impersonation) {
        throw new UnauthorizedClient(actorToken ? 'the client may not exchange with an actor token (delegation)' : 'the client may not exchange without an actor token (impersonation)');
      }
      const actorType = actorToken ? shortTokenType(actorTypeParam, 'actor_token_type') : undefined;
      if (actorType !== undefined && !policy.subjectTokenTypes.includes(actorType)) throw new UnauthorizedClient('the client may not present this type of actor token');
      const target = await exchangeTarget(repos, params['resource'], params['audience'], policy.resources);

      const ctx: SubjectContext = { repos, config: deps.config, jwks: deps.jwks, client, policy, now };
      const subject = await resolveParty(ctx, params['subject_token'] ?? '', subjectType);
      const actor = actorToken && actorType ? await resolveParty(ctx, actorToken, actorType) : undefined;

      // Scope (§2.1): never more than the subject token had, nor than the policy and the client allow.
      const limits = [subject.scope, policy.scopes.length > 0 ? policy.scopes : undefined, client.scopes.length > 0 ? client.scopes : undefined, target?.scopes];
      const bounded = limits.filter((l): l is readonly string[] => l !== undefined);
      const asked = parseScope(params['scope']);
      // A subject that says nothing of scope (an ID token) is bounded by the rest alone; with no bound at all, by the
      // scopes the server knows (resolveScope below), as a client registered without scopes may ask for any.
      const [first, ...rest] = bounded;
      const ceiling = first === undefined ? asked : first.filter((s) => rest.every((l) => l.includes(s)));
      const wider = asked.filter((s) => !ceiling.includes(s));
      if (wider.length > 0) throw new InvalidScope(`${wider.join(' ')}: more than the subject token, the policy or the audience allow`);
      // A trusted issuer's scope names are not ours: only scopes this server knows, and admin only for its clients.
      const known = new Set((await scopeCatalogue()).map((s) => s.name));
      const scope = resolveScope(asked.length > 0 ? asked : ceiling, client.scopes, known, true);

      // §4.1: the current actor is the outermost `act`; a prior chain (the subject's own act) nests inside it.
      const act = actor ? { sub: actor.sub, ...(subject.act ? { act: subject.act } : {}) } : subject.act;
      const accessToken = await mintAccessToken(deps, { client, userId: subject.userId, scope, resource: target, now, accessTokenTtlDefault, dpopJkt, act });
      const response = await repos.transaction(async (tx) => {
        const id = grantId();
        await tx.grants.create({ id, clientId: client.id, userId: subject.userId, scope, createdAt: now, ...(target ? { resources: [target.id] } : {}) });
        return issueTokens(tx, deps.config, { client, grantId: id, userId: subject.userId, scope, refresh: false, now, accessTokenTtlDefault, resource: target, accessToken, dpopJkt, act });
      });
      // §2.2.1: issued_token_type is REQUIRED.
      return { ...response, issued_token_type: TOKEN_TYPE_URNS.access_token };
    },
  };
}
