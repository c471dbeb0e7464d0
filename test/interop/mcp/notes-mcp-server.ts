import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createVerifier, protectedResourceMetadata, tokenMiddleware, type TokenRequest, type VerifierOptions } from '../../../src/index.ts';

// An MCP server (Streamable HTTP) whose one tool needs a Latchkey token for this server's resource identifier.
export function notesMcpServer({ scope = 'notes:read', ...options }: VerifierOptions & { resource: string; scope?: string }) {
  const verifier = createVerifier(options);
  const metadata = protectedResourceMetadata(verifier, { resourceName: 'Notes', scopesSupported: [scope] });
  const guard = tokenMiddleware(verifier, { scope });

  return createServer((req: TokenRequest, res) => {
    if (metadata.handler(req, res)) return; // GET /.well-known/oauth-protected-resource/mcp
    guard(req, res, async () => {
      const mcp = new McpServer({ name: 'notes', version: '1.0.0' });
      mcp.registerTool('list_notes', { description: "Lists the caller's notes" }, async (extra) => ({
        // The username where introspection gave one; a JWT access token names the user by `sub` (RFC 9068 §2.2).
        content: [{ type: 'text', text: `2 notes for ${String(extra.authInfo?.extra?.['username'] ?? extra.authInfo?.extra?.['sub'])}` }],
      }));
      // Stateless: one server and transport per request.
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    });
  });
}
