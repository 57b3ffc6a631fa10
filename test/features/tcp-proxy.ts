import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server, so a test can make it unreachable (cut), slow (delay) and
 * reachable again (restore) without touching the server other tests share.
 */
export interface TcpProxy {
  port: number;
  /** Closes every connection and stops listening: clients see the server go away. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Holds every reply this long before passing it on (0: none). */
  delay(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let delayMs = 0;
  const make = (): Server => createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      if (delayMs === 0) client.write(chunk);
      else setTimeout(() => { if (!client.destroyed) client.write(chunk); }, delayMs);
    });
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  let server = make();
  const listen = (port: number) => new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(port, '127.0.0.1', () => ok()); });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = () => new Promise<void>((ok) => { for (const s of sockets) s.destroy(); sockets.clear(); server.close(() => ok()); });
  return {
    port,
    cut: stop,
    async restore() { server = make(); await listen(port); },
    delay(ms) { delayMs = ms; },
    close: stop,
  };
}
