import type { JwksDocument } from '../../keys/jwks.ts';
import { grantId } from '../../crypto.ts';
import { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient } from '../../errors.ts';
import { TOKEN_EXCHANGE_GRANT, type Client, type Resource, type Scope } from '../../model.ts';
import { subjectFor } from '../../oidc/subject.ts';
import { mintAccessToken } from '../../resources/mint.ts';
import { registeredResources, requestedResources } from '../../resources/target.ts';
import { parseScope, resolveScope } from '../../scope.ts';
import type { TokenExchangePolicy } from '../../../config/token-exchange-schema.ts';
import { recordExchanged, recordRefusal } from '../../token-exchange/audit.ts';
import { resolveParty, shortTokenType, TOKEN_TYPE_URNS, type SubjectContext } from '../../token-exchange/subject.ts';
import type { Repositories } from '../../repositories.ts';
import type { GrantDeps, GrantHandler, TokenContext } from '../grant.ts';
import { issueTokens, mayRefresh, type TokenResponse } from '../issue.ts';

type Repos = Pick<Repositories, 'tokens' | 'grants' | 'resources' | 'users' | 'clients' | 'trustedIssuers' | 'transaction'>;

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
 * RFC 8693 §2.1 requested_token_type: an access token (the default), or, when the policy gives refresh tokens
 * (`refreshTokens`) and the client may refresh, a refresh token; anything else is invalid_request (§2.2.2). §2.2.1
 * carries the issued token in `access_token`; a client asking for a refresh token still needs an access token to call
 * anything, so the answer has both (the access token in `access_token`, the refresh token beside it) and
 * `issued_token_type` names the refresh token asked for, as Keycloak answers it.
 */
function requestedType(requested: string | undefined, refreshable: boolean): 'access_token' | 'refresh_token' {
  if (requested === undefined || requested === TOKEN_TYPE_URNS.access_token) return 'access_token';
  if (requested === TOKEN_TYPE_URNS.refresh_token && refreshable) return 'refresh_token';
  if (requested === TOKEN_TYPE_URNS.refresh_token) throw new InvalidRequest('requested_token_type: this client is not given refresh tokens by token exchange');
  throw new InvalidRequest('requested_token_type: this server issues access and refresh tokens only');
}

/**
 * §4.1 act.sub names the actor; RFC 9068 §2.2 makes sub the subject as this client knows them. A user actor is named
 * the same way (subjectFor: pairwise for a pairwise client), so a resource can compare sub and act.sub and the client
 * cannot correlate users through act; a client actor by its client id.
 */
const actorSub = (client: Client, actor: { userId: string | null; sub: string }, salt: string | undefined): string =>
  actor.userId === null ? actor.sub : subjectFor(client, actor.userId, salt);

/**
 * OAuth 2.0 Token Exchange (RFC 8693): a client trades a token it holds (the subject token, §2.1) for an access token,
 * narrower or for another audience. Without an actor token the new token simply names the subject (impersonation,
 * §1.1); with one it also names the actor in an `act` claim (delegation, §4.1), nested when the subject token was
 * itself delegated. Deny by default: a client needs the grant type and a policy of its own (Client.tokenExchange) that
 * allows the subject token type, the mode, the audience and the scope (§5: the server decides by policy). A refresh
 * token comes too only when the policy says so (§2.2.1 refresh_token OPTIONAL), on a grant of its own that keeps the
 * `act`, so a refresh never turns a delegated token into an impersonation.
 */
export function tokenExchangeGrant(repos: Repos, deps: GrantDeps & { jwks: () => Promise<JwksDocument> }, scopeCatalogue: () => Promise<readonly Scope[]>): GrantHandler {
  async function exchange({ client, params, now, accessTokenTtlDefault, dpopJkt, address }: TokenContext, policy: TokenExchangePolicy): Promise<TokenResponse> {
    const subjectType = shortTokenType(params['subject_token_type'], 'subject_token_type');
    const actorToken = params['actor_token'];
    const actorTypeParam = params['actor_token_type'];
    // §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT be sent without it.
    if (actorToken && !actorTypeParam) throw new InvalidRequest('actor_token_type is required with actor_token');
    if (!actorToken && actorTypeParam) throw new InvalidRequest('actor_token_type is sent only with actor_token');
    const refreshable = policy.refreshTokens && client.grantTypes.includes('refresh_token');
    const requested = requestedType(params['requested_token_type'], refreshable);
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
    // A client's own token (no user) is never refreshable, as client_credentials (RFC 6749 §4.4.3): it can ask anew.
    // OpenID Connect Core §11 applies as to every grant (issue.ts mayRefresh): openid without offline_access may refuse.
    const refresh = refreshable && subject.userId !== null && mayRefresh(deps.config, scope);
    if (requested === 'refresh_token' && !refresh) {
      throw new InvalidRequest(subject.userId === null ? 'requested_token_type: no refresh token for a client\'s own token' : 'requested_token_type: a refresh token needs the offline_access scope');
    }

    // §4.1: the current actor is the outermost `act`; a prior chain (the subject's own act) nests inside it.
    const act = actor ? { sub: actorSub(client, actor, deps.config.oidc.pairwiseSalt), ...(subject.act ? { act: subject.act } : {}) } : subject.act;
    const accessToken = await mintAccessToken(deps, { client, userId: subject.userId, scope, resource: target, now, accessTokenTtlDefault, dpopJkt, act });
    const id = grantId();
    const response = await repos.transaction(async (tx) => {
      await tx.grants.create({ id, clientId: client.id, userId: subject.userId, scope, createdAt: now, ...(target ? { resources: [target.id] } : {}), ...(act ? { act } : {}) });
      return issueTokens(tx, deps.config, { client, grantId: id, userId: subject.userId, scope, refresh, now, accessTokenTtlDefault, resource: target, accessToken, dpopJkt, act });
    });
    recordExchanged(
      { audit: deps.audit, clientId: client.id, address },
      { grantId: id, userId: subject.userId, subjectTokenType: subjectType, actor: actor && actorType ? { tokenType: actorType, sub: actor.sub } : undefined, audience: target?.id, scope: response.scope.split(' ').filter(Boolean), refreshToken: refresh },
    );
    // §2.2.1: issued_token_type is REQUIRED.
    return { ...response, issued_token_type: TOKEN_TYPE_URNS[requested] };
  }

  return {
    grantType: TOKEN_EXCHANGE_GRANT,
    parameters: ['subject_token', 'subject_token_type'],
    allowsPublicClients: false,
    async handle(ctx) {
      try {
        const policy = ctx.client.tokenExchange;
        if (!policy) throw new UnauthorizedClient('no token exchange policy allows this client');
        return await exchange(ctx, policy);
      } catch (e) {
        await recordRefusal({ audit: deps.audit, clientId: ctx.client.id, address: ctx.address }, e, ctx.params, repos.trustedIssuers);
        throw e;
      }
    },
  };
}
