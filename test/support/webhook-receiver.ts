import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** What the receiver does with its n-th request (from 0): answer a status, or never answer. */
export type Behaviour = (n: number) => number | 'hang';

/** A real HTTP receiver on loopback that records what it gets and answers as told. */
export async function startReceiver(behaviour: Behaviour = () => 200): Promise<{ url: string; port: number; received: ReceivedWebhook[]; connections(): number; setBehaviour(b: Behaviour): void; stop(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const hanging: ServerResponse[] = [];
  let current = behaviour;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const answer = current(n);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.statusCode = answer;
      res.end('ok');
    });
  });
  // Every TCP connection, HTTP or not: a refused delivery must not even connect.
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    connections: () => connections,
    setBehaviour: (b) => {
      current = b;
    },
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
