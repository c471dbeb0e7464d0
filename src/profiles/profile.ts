import type { ProfileName } from '../config/profile-names.ts';
import type { Params } from '../core/context.ts';
import type { Client } from '../core/model.ts';
import type { TokenResponse } from '../core/token/issue.ts';

/**
 * A migration profile: the few differences between one provider's documented client and standard OAuth 2.0, as data
 * and small pure functions. A profile only ADDS routes beside the standard endpoints; those never change.
 */

export interface Profile {
  readonly name: ProfileName;
  /** One line: the provider and its document. */
  readonly description: string;
  /** What the profile changes, one human line each (for `latchkey profiles list` and the docs). */
  readonly changes: readonly string[];
  /** Extra paths. The same path for both means GET = authorization endpoint, POST = token endpoint. */
  readonly routes: { readonly authorize?: string; readonly token?: string };
  /** Query parameters the route requires (and strips before the OAuth parameters are read); else 404. */
  readonly routeQuery?: Readonly<Record<string, string>>;
  /** The authorization request may carry client_secret: checked against the client's, then dropped. */
  readonly clientSecretInAuthorize?: boolean;
  normalizeAuthorize?(params: Params): Params;
  /** `client` is the one the request names (body client_id or Basic user), if it exists; authentication comes later. */
  normalizeToken?(params: Params, client: Client | undefined): Params;
  shapeTokenResponse?(body: TokenResponse, now: number): Record<string, unknown>;
  /** Access-token lifetime (seconds) through this profile's token route for clients without their own. */
  readonly accessTokenTtlDefault?: number;
}

/** A copy of `params` with some keys replaced (undefined removes the key). */
export function withParams(params: Params, changes: Record<string, string | undefined>): Params {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(params)) out[k] = v;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}
