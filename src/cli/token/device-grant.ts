import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oauth from 'oauth4webapi';
import { CliError } from '../context.ts';
import { appendResources, type FlowContext, requestOptions, tokenRequestResource, withDpopNonceRetry } from './flow-context.ts';
import { attempt, describeOAuthFailure } from './oauth-failure.ts';
import { endpoint } from './provider.ts';

/** qrcode-terminal ships no types: the one function used here. */
interface QrCodeTerminal {
  generate(text: string, options: { small: boolean }, done: (qr: string) => void): void;
}
const qrcode = createRequire(import.meta.url)('qrcode-terminal') as QrCodeTerminal;

/**
 * RFC 8628, the device authorization grant: for a shell with no browser. The person is shown the user code and the
 * verification URI (§3.3), as text and as a QR code of verification_uri_complete for a phone (§3.3.1), and the
 * client polls the token endpoint (§3.4) at the server's `interval` (default 5 s), 5 s slower after each
 * `slow_down` (§3.5), until approval, `access_denied`, `expired_token` or the code's `expires_in`.
 */
export async function deviceGrant(ctx: FlowContext, opts: { qr: boolean }): Promise<oauth.TokenEndpointResponse> {
  const { as } = ctx.provider;
  endpoint(ctx.provider, 'device_authorization_endpoint');
  const params = appendResources(new URLSearchParams(ctx.scope === undefined ? {} : { scope: ctx.scope }), ctx);
  const device = await attempt('the device authorization endpoint', async () => {
    const res = await oauth.deviceAuthorizationRequest(as, ctx.client, ctx.auth, params, ctx.provider.http);
    return oauth.processDeviceAuthorizationResponse(as, ctx.client, res);
  });
  const complete = device.verification_uri_complete;
  ctx.note(`to sign in, visit ${device.verification_uri} and enter the code ${device.user_code}`);
  if (complete !== undefined) ctx.note(`or open ${complete}`);
  if (opts.qr) qrcode.generate(complete ?? device.verification_uri, { small: true }, (qr) => process.stderr.write(`${qr}\n`));
  let interval = device.interval ?? 5;
  const deadline = Date.now() + device.expires_in * 1000;
  for (;;) {
    await sleep(interval * 1000);
    if (Date.now() > deadline) throw new CliError('the device code expired before anyone approved it (RFC 8628 expired_token)', 'oauth_error');
    try {
      return await withDpopNonceRetry(async () => {
        const res = await oauth.deviceCodeGrantRequest(as, ctx.client, ctx.auth, device.device_code, { ...requestOptions(ctx), additionalParameters: tokenRequestResource(ctx) });
        return oauth.processDeviceCodeResponse(as, ctx.client, res);
      });
    } catch (err) {
      if (err instanceof oauth.ResponseBodyError && err.error === 'authorization_pending') continue;
      if (err instanceof oauth.ResponseBodyError && err.error === 'slow_down') {
        interval += 5;
        continue;
      }
      if (err instanceof oauth.ResponseBodyError && err.error === 'access_denied') throw new CliError('the sign-in was refused on the device page: access_denied', 'oauth_error');
      if (err instanceof oauth.ResponseBodyError && err.error === 'expired_token') throw new CliError('the device code expired before anyone approved it: expired_token', 'oauth_error');
      throw await describeOAuthFailure(err, 'the token endpoint');
    }
  }
}
