// The sandbox customer API: a real loopback HTTP server implementing the contract over deterministic seeded
// data, with run-time fault injection. Used by demos, tests and benchmarks.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import { Authenticator, SANDBOX_CLIENT_ID } from "./auth.js";
import type { SandboxContext } from "./context.js";
import { type FaultController, type FaultRule, FaultRules } from "./faults.js";
import { IdempotencyStore } from "./idempotency.js";
import { Paginator } from "./pagination.js";
import { deriveSeed } from "./random.js";
import { BoundedRequestLog, type RequestLog } from "./request-log.js";
import { Router } from "./router.js";
import { adminRoutes } from "./routes/admin.js";
import { apiRoutes } from "./routes/index.js";
import { DEMO_CUSTOMER_EMAIL, seedStore } from "./seed/index.js";
import { createRequestListener } from "./server.js";
import type { SandboxStore } from "./store.js";

export type { FaultController, FaultKind, FaultRule } from "./faults.js";
export type * from "./records.js";
export type { RequestLog, RequestLogEntry } from "./request-log.js";
export { SANDBOX_AGENTS } from "./seed/names.js";
export type { ExportJob } from "./store.js";
export { SandboxStore } from "./store.js";
export { SANDBOX_CLIENT_ID };

export const SANDBOX_DEMO_CUSTOMER_EMAIL = DEMO_CUSTOMER_EMAIL;

/**
 * A fresh credential for one sandbox. The sandbox listens on loopback, where any local process can reach it: a
 * fixed, published key would let one inject faults (the admin routes) or plant text in the data an agent reads.
 */
function randomCredential(prefix: string): string {
  return `${prefix}${randomBytes(24).toString("base64url")}`;
}

export interface SandboxOptions {
  /** Loopback only: 127.x.x.x, ::1 or localhost. Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 42; the same seed gives identical data. */
  seed?: number;
  /** Default: a random key, new for every sandbox (read it from `sandbox.apiKey`). */
  apiKey?: string;
  /** Secret of the OAuth client `sandbox-client`. Default: random, new for every sandbox (`sandbox.clientSecret`). */
  clientSecret?: string;
  /** Epoch ms; default Date.now. Drives token expiry, the idempotency window, exports and new timestamps. */
  clock?: () => number;
  /** Default 300. */
  tokenTtlSeconds?: number;
  /** Default 3000: how long an export takes from created to succeeded; 0 = immediately succeeded. */
  exportDurationMs?: number;
  faults?: FaultRule[];
  /** Logs at debug level only, never PII. */
  logger?: Logger;
  /** Defaults 1000 / 10000 / 2000 (minimums 3 / 10 / 6, for the fixtures). */
  counts?: { customers?: number; transactions?: number; tickets?: number };
}

export interface Sandbox {
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  /** The OAuth client-credentials client: a fixed id, and a secret as random as the API key unless one was given. */
  readonly clientId: string;
  readonly clientSecret: string;
  readonly faults: FaultController;
  readonly store: SandboxStore;
  readonly requests: RequestLog;
  revokeTokens(): void;
  close(): Promise<void>;
}

const LOOPBACK_V4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function loopbackHost(host: string): string {
  if (host === "localhost") return "127.0.0.1";
  if (host === "::1" || host === "[::1]") return "::1";
  const m = LOOPBACK_V4.exec(host);
  if (m?.slice(1).every((octet) => Number(octet) <= 255)) return host;
  throw new Error(`The sandbox only listens on loopback addresses; refusing host "${host}".`);
}

function count(value: number | undefined, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 1_000_000) {
    throw new RangeError(`counts.${name} must be an integer from 0 to 1000000.`);
  }
  return Math.max(min, value);
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = loopbackHost(options.host ?? "127.0.0.1");
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError("port must be 0-65535.");
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed)) throw new RangeError("seed must be an integer.");
  const apiKey = options.apiKey ?? randomCredential("sk_sandbox_");
  const clientSecret = options.clientSecret ?? randomCredential("sbx_secret_");
  for (const [name, value] of [["apiKey", apiKey], ["clientSecret", clientSecret]] as const) {
    if (!/^[\x21-\x7e]{8,200}$/.test(value)) throw new RangeError(`${name} must be 8-200 visible ASCII characters.`);
  }
  const clock = options.clock ?? Date.now;
  const store = seedStore(seed, {
    customers: count(options.counts?.customers, 1000, 3, "customers"),
    transactions: count(options.counts?.transactions, 10_000, 10, "transactions"),
    tickets: count(options.counts?.tickets, 2000, 6, "tickets"),
  });

  const faults = new FaultRules(deriveSeed(seed, "faults"));
  for (const rule of options.faults ?? []) faults.add(rule);
  const auth = new Authenticator(apiKey, clientSecret, clock, options.tokenTtlSeconds ?? 300);
  const requests = new BoundedRequestLog();
  const timers = new Set<NodeJS.Timeout>();
  const schedule = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const ctx: SandboxContext = {
    store,
    clock,
    paginator: new Paginator(`sandbox-cursor-${deriveSeed(seed, "cursor")}-${apiKey}`),
    exportDurationMs: Math.max(0, options.exportDurationMs ?? 3000),
  };
  const server: Server = createServer(
    { keepAlive: true },
    createRequestListener({
      ctx,
      auth,
      faults,
      idempotency: new IdempotencyStore(clock),
      requests,
      api: new Router(apiRoutes),
      admin: new Router(adminRoutes),
      adminContext: { faults, requests, store, revokeTokens: () => auth.revokeAll() },
      schedule,
      logger: options.logger,
    }),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;
  options.logger?.debug({ url, seed, customers: store.customers.length }, "sandbox listening");

  let closing: Promise<void> | null = null;
  return {
    url,
    port: bound,
    apiKey,
    clientId: SANDBOX_CLIENT_ID,
    clientSecret,
    faults,
    store,
    requests,
    revokeTokens: () => auth.revokeAll(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
