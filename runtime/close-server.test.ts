import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http, { createServer, type RequestListener, type Server } from 'node:http';
import { closeServer } from './close-server.ts';

async function serve(handler: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  // Far longer than any test here runs: a close that waited for it would time the test out.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, port: (server.address() as { port: number }).port };
}

function get(port: number, agent: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    http.get({ host: '127.0.0.1', port, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
    }).on('error', fail);
  });
}

describe('closing the HTTP server', { timeout: 20_000 }, () => {
  it('answers the request under way on a keep-alive connection, then closes without waiting for the keep-alive timeout', async () => {
    const { server, port } = await serve((_req, res) => { setTimeout(() => res.end('decided'), 200); });
    const agent = new http.Agent({ keepAlive: true });
    await get(port, agent); // leaves the connection open and idle, to be reused
    const underWay = get(port, agent);
    await new Promise((r) => setTimeout(r, 50));
    // A grace period past the test's timeout: only closing the connection once it is idle ends this in time.
    const [answer] = await Promise.all([underWay, closeServer(server, 60_000)]);
    assert.deepEqual(answer, { status: 200, body: 'decided' });
    assert.equal(server.listening, false);
    agent.destroy();
  });

  it('cuts a request still open when the grace period ends', async () => {
    const { server, port } = await serve(() => { /* never answers */ });
    const agent = new http.Agent({ keepAlive: true });
    const stuck = get(port, agent);
    await new Promise((r) => setTimeout(r, 50));
    await closeServer(server, 200);
    await assert.rejects(stuck, /socket hang up|ECONNRESET/);
    agent.destroy();
  });
});
