import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createVerifier, protectedResourceMetadata, tokenMiddleware, type TokenRequest, type VerifierOptions } from '../../../src/index.ts';

// An MCP server (Streamable HTTP) whose one tool needs a Latchkey token for this server's resource identifier.
export function notesMcpServer(options: VerifierOptions & { resource: string }) {
  const verifier = createVerifier(options);
  const metadata = protectedResourceMetadata(verifier, { resourceName: 'Notes', scopesSupported: ['notes:read'] });
  const guard = tokenMiddleware(verifier, { scope: 'notes:read' });

  return createServer((req: TokenRequest, res) => {
    if (metadata.handler(req, res)) return; // GET /.well-known/oauth-protected-resource/mcp
    guard(req, res, async () => {
      const mcp = new McpServer({ name: 'notes', version: '1.0.0' });
      mcp.registerTool('list_notes', { description: "Lists the caller's notes" }, async (extra) => ({
        content: [{ type: 'text', text: `2 notes for ${String(extra.authInfo?.extra?.['username'] ?? extra.authInfo?.clientId)}` }],
      }));
      // Stateless: one server and transport per request.
      const transport = new StreamableHTTPServerTransport({});
      res.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
    });
  });
}
