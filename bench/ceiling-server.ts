import { createServer } from 'node:http';

/**
 * The machine's ceiling: a plain node:http server answering 200, run pinned like the service
 * under test (`node dist/bench/ceiling-server.js <port>`). Prints "listening" when ready.
 */
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
