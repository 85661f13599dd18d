/** Starts a demo service's node:http server on a port (0 picks a free one) and says where it listens. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listen(options: { port?: number | undefined; host?: string | undefined }): Promise<{ server: Server; url: string }> {
  const server = createServer();
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
