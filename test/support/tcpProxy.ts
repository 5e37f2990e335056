import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/** A TCP proxy the fault tests cut and restore: a dependency unreachable, its state kept. */
export interface TcpProxy {
  port: number;
  /** http://127.0.0.1:`port` */
  url: string;
  /** Stops listening and cuts every connection through it: connections to it are refused. */
  stop(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:`target`, listening on `port` (a free one when absent). */
export async function startTcpProxy(target: number, port = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(target, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as { port: number }).port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
