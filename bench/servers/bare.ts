import { createServer } from 'node:http';
import { announce, onStop } from '../common.ts';

/**
 * The ceiling: Node's own `http` server answering every request with a fixed JSON body the size of a token response,
 * after reading the request body. Nothing any framework or authorization server does can be faster on this machine.
 */
const body = JSON.stringify({
  access_token: 'lk_at_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'api',
});

const server = createServer((req, res) => {
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  req.resume();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  announce({ port, version: process.version, endpoints: { token: '/token', introspection: '/introspect' }, notes: ['node:http, fixed JSON'] });
});
onStop(() => new Promise<void>((resolve) => {
  server.close(() => resolve());
  server.closeAllConnections();
}));
