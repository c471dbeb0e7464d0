import { authCode, authCodeLogin, authCodeOidc } from './auth-code.ts';
import { clientCredentials, clientCredentialsJwt } from './client-credentials.ts';
import { clientCredentialsDpop } from './client-credentials-dpop.ts';
import { introspection } from './introspection.ts';
import { jwtBearer } from './jwt-bearer.ts';
import { refreshToken } from './refresh-token.ts';
import { tokenExchange } from './token-exchange.ts';
import type { Workload, WorkloadName } from './types.ts';

export const workloads: Record<WorkloadName, Workload> = {
  client_credentials: clientCredentials,
  client_credentials_jwt: clientCredentialsJwt,
  client_credentials_dpop: clientCredentialsDpop,
  auth_code: authCode,
  auth_code_oidc: authCodeOidc,
  auth_code_login: authCodeLogin,
  introspection,
  refresh_token: refreshToken,
  token_exchange: tokenExchange,
  jwt_bearer: jwtBearer,
};
