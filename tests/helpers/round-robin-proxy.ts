// A small round-robin reverse proxy on loopback, as a load balancer in front of replicas: each request goes to the
// next upstream in turn. A connection an upstream refuses (it is gone) never reached it, so the request is
// tried on the next one; anything that fails after the request was sent is a 502 (it may have been served).
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RoundRobinProxy {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** The upstream origins, in turn; set once the replicas are up (they need the proxy's URL first). */
  readonly upstreams: string[];
  /** Which upstream (index) served each request, in order. */
  readonly served: number[];
  close(): Promise<void>;
}

export async function startRoundRobinProxy(upstreams: string[] = []): Promise<RoundRobinProxy> {
  let next = 0;
  const served: number[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tried: number): void => {
    const index = next++ % upstreams.length;
    const target = new URL(upstreams[index] ?? "");
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        served.push(index);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" && tried + 1 < upstreams.length) {
        forward(req, res, body, tried + 1);
        return;
      }
      if (!res.headersSent) res.writeHead(502, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: "bad_gateway" }));
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => forward(req, res, Buffer.concat(chunks), 0));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    upstreams,
    served,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
