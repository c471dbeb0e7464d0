import { createServer, type Server } from 'node:http';

/**
 * A client's web site for tests: serves Client ID Metadata Documents on 127.0.0.1 (reachable only under the
 * development switch clientMetadataDocuments.allowLoopbackHttp) and counts the requests for each path, so caching is
 * proven by counts, never by time.
 */
export interface DocumentServer {
  origin: string;
  /** The URL of `path` on this server: what the client uses as its client_id. */
  url(path: string): string;
  /** Serve `body` (a document object, or raw text) at `path`. */
  serve(path: string, body: unknown, options?: { cacheControl?: string; contentType?: string; status?: number; location?: string }): void;
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startDocumentServer(): Promise<DocumentServer> {
  const routes = new Map<string, { body: string; headers: Record<string, string>; status: number }>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(route.status, route.headers).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    url: (path) => origin + path,
    serve(path, body, options = {}) {
      const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
      if (options.cacheControl !== undefined) headers['cache-control'] = options.cacheControl;
      if (options.location !== undefined) headers['location'] = options.location;
      routes.set(path, { body: typeof body === 'string' ? body : JSON.stringify(body), headers, status: options.status ?? 200 });
    },
    hits: (path) => counts.get(path) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
