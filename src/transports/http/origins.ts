// Who may reach the MCP endpoint from where. The Host header must name this service (a DNS-rebinding page
// resolves its own name to our address, so its requests carry its name); a browser's Origin header, when there
// is one, must be this service's own or one the operator listed, and only those get CORS headers. Forwarded
// headers are believed only behind a proxy the operator says they run.
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLoopbackHost } from "../../config/urls.js";
import type { HttpSettings } from "../../config/http.js";

/** What a browser may send and read, beyond the CORS-safelisted headers. */
const ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Mcp-Protocol-Version, Mcp-Session-Id, Last-Event-ID, X-Request-Id, X-MCP-Readonly, X-MCP-Toolsets";
const EXPOSED_HEADERS = "WWW-Authenticate, Mcp-Protocol-Version, Mcp-Session-Id, X-Request-Id, Retry-After";

export class OriginPolicy {
  #hosts: ReadonlySet<string> | undefined;
  #origins: ReadonlySet<string> | undefined;

  /** `port` is asked for once the server listens: with port 0 it is only known then. */
  constructor(private readonly settings: HttpSettings, private readonly port: () => number) {}

  /** Listening on loopback, the host:port names a local client may use for this server. */
  #loopbackNames(): string[] {
    return isLoopbackHost(this.settings.host)
      ? ["127.0.0.1", "localhost", "[::1]"].map((name) => `${name}:${this.port()}`)
      : [];
  }

  /** The public URL's host and the loopback names. */
  #allowedHosts(): ReadonlySet<string> {
    this.#hosts ??= new Set([this.settings.publicUrl.host.toLowerCase(), ...this.#loopbackNames()]);
    return this.#hosts;
  }

  /** The public URL's origin, the loopback names' (a page this server served itself) and the operator's list. */
  #allowedOrigins(): ReadonlySet<string> {
    this.#origins ??= new Set([
      this.settings.publicUrl.origin,
      ...this.#loopbackNames().map((name) => `http://${name}`),
      ...this.settings.corsOrigins,
    ]);
    return this.#origins;
  }

  /** The host the client addressed: X-Forwarded-Host behind a trusted proxy, else Host. */
  hostOf(req: IncomingMessage): string | undefined {
    const forwarded = this.settings.trustProxy ? firstValue(req.headers["x-forwarded-host"]) : undefined;
    return (forwarded ?? req.headers.host)?.trim().toLowerCase();
  }

  /** The client's address, for logs: the proxy's X-Forwarded-For (its nearest entry) only when trusted. */
  remoteOf(req: IncomingMessage): string | undefined {
    if (this.settings.trustProxy) {
      const chain = firstValue(req.headers["x-forwarded-for"])?.split(",").map((entry) => entry.trim()).filter(Boolean);
      const nearest = chain?.at(-1);
      if (nearest) return nearest;
    }
    return req.socket.remoteAddress;
  }

  hostAllowed(req: IncomingMessage): boolean {
    // Two Host headers are a malformed request (RFC 9112 3.2) that a proxy and this server could read differently.
    const hostHeaders = req.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === "host");
    if (hostHeaders.length > 1) return false;
    const host = this.hostOf(req);
    return host !== undefined && this.#allowedHosts().has(withoutDefaultPort(host, this.#schemeOf(req)));
  }

  /** undefined: no Origin header (not a browser); true/false: whether that origin may call. */
  originAllowed(req: IncomingMessage): boolean | undefined {
    const origin = req.headers.origin;
    if (origin === undefined) return undefined;
    return this.#allowedOrigins().has(origin.trim().toLowerCase().replace(/\/$/, ""));
  }

  /** CORS headers for an allowed origin's request (and preflight). */
  applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin || this.originAllowed(req) !== true) return;
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }

  preflightHeaders(): Record<string, string> {
    return {
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": ALLOWED_HEADERS,
      "Access-Control-Max-Age": "600",
    };
  }

  #schemeOf(req: IncomingMessage): string {
    const forwarded = this.settings.trustProxy ? firstValue(req.headers["x-forwarded-proto"]) : undefined;
    return forwarded?.trim().toLowerCase() ?? ("encrypted" in req.socket ? "https" : "http");
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `example.com:443` → `example.com` for https (`:80` for http): URL.host leaves default ports out too. */
function withoutDefaultPort(host: string, scheme: string): string {
  const match = /^(.*):(\d+)$/.exec(host);
  if (match && ((scheme === "https" && match[2] === "443") || (scheme === "http" && match[2] === "80"))) {
    return match[1] ?? host;
  }
  return host;
}
