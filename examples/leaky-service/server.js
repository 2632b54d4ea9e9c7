// A small HTTP service with a real leak, for `npm run example` and the "Try it" workspace.
// Every request records a session object in `sessionLog`, and nothing ever removes it: the classic
// "audit log kept in memory" leak. It drives its own traffic so it leaks without a load generator.
'use strict';
const http = require('node:http');

/** The leak: grows by one entry per request, forever. */
const sessionLog = [];

function recordSession(request) {
  const session = {
    id: Math.random().toString(36).slice(2),
    path: request.url,
    headers: { ...request.headers },
    startedAt: new Date().toISOString(),
    payload: 'x'.repeat(2048) + Math.random(),
  };
  sessionLog.push(session);
  return session;
}

function handle(request, response) {
  const session = recordSession(request);
  // Normal churn that is freed after each request.
  const scratch = Array.from({ length: 200 }, (_, i) => ({ i, v: Math.random() }));
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ ok: true, id: session.id, n: scratch.length }));
}

const server = http.createServer(handle);
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`leaky-service listening on http://127.0.0.1:${port}`);
  // Self-load: 200 requests a second on loopback.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  setInterval(() => {
    for (let i = 0; i < 20; i++) {
      http
        .get({ host: '127.0.0.1', port, path: `/orders/${i}`, agent }, (res) => res.resume())
        .on('error', () => {});
    }
  }, 100);
});
