import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * Sends an HTML page with a per-response CSP nonce. `form-action` is left out on purpose: Chromium applies it to the
 * redirects that follow a form submission, which would block the consent form's redirect back to the client.
 */
export function sendPage(reply: FastifyReply, render: (nonce: string) => string): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  return reply
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'`,
    )
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(render(nonce));
}
