import { createServer, RequestListener } from 'node:http';

export interface Listening {
  url: string;
  /** Stops accepting connections, closes idle keep-alive ones at once and drops the rest after a grace period. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

/** Serves `handler` on 127.0.0.1 only: the demo sites are never reachable from other machines. */
export function listenOnLoopback(handler: RequestListener, port: number): Promise<Listening> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const { port: bound } = server.address() as { port: number };
      let closing: Promise<void> | null = null;
      const close = () => {
        closing ??= new Promise<void>((done) => {
          server.close(() => done());
          // Browsers keep connections open; without this, close() would wait for them to time out.
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        });
        return closing;
      };
      resolve({ url: `http://127.0.0.1:${bound}`, close });
    });
  });
}
