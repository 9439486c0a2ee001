import { createServer } from 'node:net';

// Ports handed out by this test process. The kernel may give the same free port twice to two
// listen(0) calls made one after the other (the first socket closed); two services of one test
// (development and production, say) must never be told to listen on the same one.
const handedOut = new Set<number>();

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A TCP port free on 127.0.0.1 now, never one this process handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await kernelPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}
