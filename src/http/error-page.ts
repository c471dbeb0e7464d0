import type { FastifyReply } from 'fastify';
import type { OAuthError } from '../core/errors.ts';
import { errorCopy, type ErrorHelp } from '../interaction/error-help.ts';
import { errorPage, type Theme } from '../interaction/views/index.ts';
import { sendPage } from './pages-common.ts';

/**
 * Renders an error as a page for a person. The reference shown is the request id, which every log line of the request
 * carries as `reqId` (server.ts generates it), so a person quoting it leads the operator to the log line.
 */
export function sendErrorPage(reply: FastifyReply, error: Pick<OAuthError, 'error' | 'status' | 'description'>, help: ErrorHelp | undefined, theme: Theme): FastifyReply {
  const copy = errorCopy(error, help, theme.productName || 'Latchkey');
  return sendPage(reply, (nonce) =>
    errorPage({ ...copy, error: error.error, description: error.description, requestId: reply.request.id, nonce, theme }),
  );
}
