import type { Migration, MigrationProvider } from 'kysely/migration';
import { initial } from './001-initial.ts';
import { scaleOut } from './002-scale-out.ts';
import { admin } from './003-admin.ts';
import { flowSecurity } from './004-flow-security.ts';
import { throttle } from './005-throttle.ts';
import { consoleMigration } from './006-console.ts';
import { keys } from './011-keys.ts';
import { oidc } from './012-oidc.ts';
import { userClaims } from './013-user-claims.ts';
import { logout } from './014-logout.ts';
import { backchannelLogout } from './015-backchannel-logout.ts';
import { sessionAcr } from './016-session-acr.ts';
import { resources } from './017-resources.ts';
import { registration } from './018-registration.ts';
import { metadataDocumentClients } from './019-metadata-document-clients.ts';
import { clientAssertions } from './020-client-assertions.ts';
import { deviceCodes } from './021-device-codes.ts';
import { pushedRequests } from './022-pushed-requests.ts';
import { dpop } from './023-dpop.ts';
import { tokenExchange } from './024-token-exchange.ts';
import { clientTokenExchange } from './025-client-token-exchange.ts';
import { trustedIssuers } from './026-trusted-issuers.ts';
import { grantAct } from './027-grant-act.ts';
import { resourceDpop } from './028-resource-dpop.ts';
import { deviceResource } from './029-device-resource.ts';

/** Migrations are code, listed in order; the names are stored, so never rename one that has shipped. */
const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-scale-out': scaleOut,
  '003-admin': admin,
  '004-flow-security': flowSecurity,
  '005-throttle': throttle,
  '006-console': consoleMigration,
  '011-keys': keys,
  '012-oidc': oidc,
  '013-user-claims': userClaims,
  '014-logout': logout,
  '015-backchannel-logout': backchannelLogout,
  '016-session-acr': sessionAcr,
  '017-resources': resources,
  '018-registration': registration,
  '019-metadata-document-clients': metadataDocumentClients,
  '020-client-assertions': clientAssertions,
  '021-device-codes': deviceCodes,
  '022-pushed-requests': pushedRequests,
  '023-dpop': dpop,
  '024-token-exchange': tokenExchange,
  '025-client-token-exchange': clientTokenExchange,
  '026-trusted-issuers': trustedIssuers,
  '027-grant-act': grantAct,
  '028-resource-dpop': resourceDpop,
  '029-device-resource': deviceResource,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
