// A TCP proxy on 127.0.0.1 in front of the test Redis, for real network faults a test turns on and off:
//   stall()   keeps every connection open but holds the bytes (in order, none lost): Redis seems to hang, as
//             behind a saturated link or a paused server; commands time out.
//   cut()     closes every connection and accepts new ones only to close them: Redis is unreachable.
//   cutWhen() cuts, as cut() does, at the first command that matches instead of forwarding it: a fault at an exact
//             step of a call (the bytes are RESP, so a test matches a command's name and key).
//   restore() forwards again; held bytes go first, so a stalled connection resumes where it was.
import { createConnection, createServer, type Server, type Socket } from "node:net";

type Mode = "open" | "stalled" | "cut";

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes each way held while stalled, in arrival order. */
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

export interface RedisProxy {
  /** The test Redis URL (credentials and database kept) with the proxy's address. */
  readonly url: string;
  readonly port: number;
  stall(): void;
  cut(): void;
  cutWhen(match: (command: string) => boolean): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startRedisProxy(targetUrl: string): Promise<RedisProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 6379);
  const pairs = new Set<Pair>();
  let mode: Mode = "open";
  let trigger: ((command: string) => boolean) | undefined;

  const forward = (pair: Pair, direction: "toUpstream" | "toClient", chunk: Buffer) => {
    if (direction === "toUpstream" && trigger?.(chunk.toString("latin1"))) {
      trigger = undefined;
      cut();
      return;
    }
    if (mode === "stalled") pair.held[direction].push(chunk);
    else (direction === "toUpstream" ? pair.upstream : pair.client).write(chunk);
  };
  const drop = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };
  const cut = () => {
    mode = "cut";
    for (const pair of [...pairs]) drop(pair);
  };

  const server: Server = createServer((client) => {
    if (mode === "cut") {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port: targetPort });
    const pair: Pair = { client, upstream, held: { toUpstream: [], toClient: [] } };
    pairs.add(pair);
    client.on("data", (chunk: Buffer) => forward(pair, "toUpstream", chunk));
    upstream.on("data", (chunk: Buffer) => forward(pair, "toClient", chunk));
    for (const socket of [client, upstream]) {
      socket.on("error", () => drop(pair));
      socket.on("close", () => drop(pair));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP address");
  const url = new URL(targetUrl);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);

  return {
    url: url.toString(),
    port: address.port,
    stall() {
      mode = "stalled";
    },
    cut,
    cutWhen(match) {
      trigger = match;
    },
    restore() {
      mode = "open";
      trigger = undefined;
      for (const pair of pairs) {
        for (const chunk of pair.held.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
      }
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
