import type { Server } from 'node:http';

/**
 * Stops an HTTP server the way a rolling restart needs: no new connections, requests under way answered
 * (a decision in flight is worth finishing), each keep-alive connection closed as soon as it is idle —
 * the server alone would keep one whose answer went out after close() open for its keep-alive timeout;
 * whatever is still open after `graceMs` is cut.
 */
export function closeServer(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise<void>((ok) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    // close() itself closes the connections idle now (Node ≥ 19); the sweep takes those idle later.
    server.close(() => { clearInterval(sweep); clearTimeout(cut); ok(); });
  });
}
