// The settings of `customer-mcp http`: where to listen, who may call (OAuth or, on loopback only, nobody checks),
// where shared state lives, and the limits on what a client may send. Checked once at start like the rest of the
// configuration: anything unsafe stops startup with one sentence.
import { hostname } from "node:os";
import { ConfigurationError } from "../errors.js";
import type { EnvVars } from "./env.js";
import { isLoopbackHost, isLoopbackUrl, isPlainHttpToRemote } from "./urls.js";

export type HttpAuth =
  | { readonly kind: "none" }
  | {
    readonly kind: "oauth";
    readonly issuer: string;
    /** What every token's `aud` must hold: CUSTOMER_MCP_OAUTH_AUDIENCE, else the public URL. */
    readonly audience: string;
    readonly jwksUrl?: string;
    readonly scopePrefix: string;
  };

export interface HttpSettings {
  readonly host: string;
  readonly port: number;
  /**
   * The URL clients use for the MCP endpoint. With OAuth it is the resource the tokens are for; without, it
   * defaults to the loopback address listened on.
   */
  readonly publicUrl: URL;
  readonly auth: HttpAuth;
  readonly redisUrl?: string;
  /** Starts every Redis key, so deployments sharing one Redis never meet. */
  readonly redisPrefix: string;
  /** Browser origins allowed to call (CORS); any other Origin header is refused. */
  readonly corsOrigins: readonly string[];
  readonly trustProxy: boolean;
  readonly maxBodyBytes: number;
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open: longer than the proxy's, which should close first. */
  readonly keepAliveTimeoutMs: number;
  readonly replicaId: string;
}

export interface HttpFlags {
  host?: string;
  port?: number;
}

/** The HTTP settings, or a ConfigurationError naming every problem. `warnings` collects what only needs saying. */
export function httpSettingsOf(vars: EnvVars, flags: HttpFlags, warnings: string[]): HttpSettings {
  const problems: string[] = [];
  const host = flags.host ?? vars.CUSTOMER_MCP_HTTP_HOST;
  const port = flags.port ?? vars.CUSTOMER_MCP_HTTP_PORT;
  const loopback = isLoopbackHost(host);
  let auth: HttpAuth | undefined;
  if (vars.CUSTOMER_MCP_HTTP_AUTH === "none") {
    if (!loopback) {
      problems.push(
        "CUSTOMER_MCP_HTTP_AUTH=none serves customer data to anyone who can connect, so it only listens on loopback; "
        + "use --host 127.0.0.1, or configure CUSTOMER_MCP_OAUTH_ISSUER to require tokens.",
      );
    }
    // The listen address alone is not enough: a proxy or tunnel on this machine would carry outside callers to a
    // loopback port. Neither a non-loopback public URL nor trusting a proxy has a use without tokens.
    if (vars.CUSTOMER_MCP_PUBLIC_URL && !isLoopbackUrl(vars.CUSTOMER_MCP_PUBLIC_URL)) {
      problems.push(
        "CUSTOMER_MCP_HTTP_AUTH=none is for this machine only, so CUSTOMER_MCP_PUBLIC_URL must be a loopback URL "
        + "(or unset); to serve other machines, configure CUSTOMER_MCP_OAUTH_ISSUER to require tokens.",
      );
    }
    if (vars.CUSTOMER_MCP_TRUST_PROXY) {
      problems.push(
        "CUSTOMER_MCP_HTTP_AUTH=none cannot be combined with CUSTOMER_MCP_TRUST_PROXY=true: a proxy in front would "
        + "hand unauthenticated access to whoever reaches it; configure CUSTOMER_MCP_OAUTH_ISSUER to require tokens.",
      );
    }
    if (vars.CUSTOMER_MCP_OAUTH_ISSUER) {
      warnings.push("CUSTOMER_MCP_HTTP_AUTH=none: CUSTOMER_MCP_OAUTH_ISSUER is ignored and no token is checked.");
    }
    auth = { kind: "none" };
  } else if (!vars.CUSTOMER_MCP_OAUTH_ISSUER) {
    problems.push(
      "customer-mcp http needs an identity provider: set CUSTOMER_MCP_OAUTH_ISSUER (and CUSTOMER_MCP_PUBLIC_URL), "
      + "or CUSTOMER_MCP_HTTP_AUTH=none for local development on loopback.",
    );
  } else if (!vars.CUSTOMER_MCP_PUBLIC_URL) {
    problems.push(
      "CUSTOMER_MCP_PUBLIC_URL is required with OAuth: it is the resource clients ask tokens for, "
      + "e.g. https://customer-mcp.internal.example.com/mcp.",
    );
  } else {
    auth = {
      kind: "oauth",
      issuer: vars.CUSTOMER_MCP_OAUTH_ISSUER,
      // The public URL as the metadata names it (parsed: `https://H` becomes `https://h/`), so the audience a client
      // asks its identity provider for, read from the metadata, is the one required here.
      audience: vars.CUSTOMER_MCP_OAUTH_AUDIENCE ?? new URL(vars.CUSTOMER_MCP_PUBLIC_URL).href,
      ...(vars.CUSTOMER_MCP_OAUTH_JWKS_URL ? { jwksUrl: vars.CUSTOMER_MCP_OAUTH_JWKS_URL } : {}),
      scopePrefix: vars.CUSTOMER_MCP_OAUTH_SCOPE_PREFIX,
    };
    // Keys fetched over plain http could be swapped by anyone on the path, who could then sign any token.
    for (const [name, url] of [
      ["CUSTOMER_MCP_OAUTH_ISSUER", vars.CUSTOMER_MCP_OAUTH_ISSUER],
      ["CUSTOMER_MCP_OAUTH_JWKS_URL", vars.CUSTOMER_MCP_OAUTH_JWKS_URL],
    ] as const) {
      if (isPlainHttpToRemote(url)) {
        problems.push(`${name} must use https: signing keys fetched over plain http could be swapped (http is accepted on loopback only).`);
      }
    }
    // The public URL is the resource named in tokens and metadata (RFC 9728: https, no fragment).
    if (isPlainHttpToRemote(vars.CUSTOMER_MCP_PUBLIC_URL)) {
      problems.push("CUSTOMER_MCP_PUBLIC_URL must use https: bearer tokens sent to it would travel unencrypted (http is accepted on loopback only).");
    }
    if (vars.CUSTOMER_MCP_PUBLIC_URL.includes("#")) {
      problems.push("CUSTOMER_MCP_PUBLIC_URL must not have a fragment: it names the resource tokens are issued for.");
    }
  }
  const corsOrigins = originsOf(vars.CUSTOMER_MCP_HTTP_CORS_ORIGINS, problems);
  if (problems.length > 0 || !auth) throw new ConfigurationError(problems);
  if (!vars.CUSTOMER_MCP_REDIS_URL) {
    warnings.push(
      "CUSTOMER_MCP_REDIS_URL is not set: idempotency records, rate limits and refund limits are kept in this "
      + "process, so only one replica is safe. Set it before running more than one.",
    );
  }
  const publicUrl = new URL(vars.CUSTOMER_MCP_PUBLIC_URL ?? `http://${hostForUrl(host)}:${port}/mcp`);
  return Object.freeze({
    host,
    port,
    publicUrl,
    auth,
    ...(vars.CUSTOMER_MCP_REDIS_URL ? { redisUrl: vars.CUSTOMER_MCP_REDIS_URL } : {}),
    redisPrefix: vars.CUSTOMER_MCP_REDIS_PREFIX,
    corsOrigins,
    trustProxy: vars.CUSTOMER_MCP_TRUST_PROXY,
    maxBodyBytes: vars.CUSTOMER_MCP_HTTP_MAX_BODY_BYTES,
    requestTimeoutMs: vars.CUSTOMER_MCP_HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: vars.CUSTOMER_MCP_HTTP_KEEPALIVE_TIMEOUT_MS,
    replicaId: vars.CUSTOMER_MCP_REPLICA_ID ?? hostname(),
  });
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** `https://a.example.com, http://localhost:5173` → exact origins; anything else is a problem. */
function originsOf(raw: string | undefined, problems: string[]): string[] {
  if (!raw) return [];
  const entries = raw.split(",").map((entry) => entry.trim()).filter(Boolean);
  const origins: string[] = [];
  entries.forEach((entry, index) => {
    const url = URL.canParse(entry) ? new URL(entry) : undefined;
    if (!url || !["http:", "https:"].includes(url.protocol) || url.origin !== entry.replace(/\/$/, "")) {
      problems.push(
        `CUSTOMER_MCP_HTTP_CORS_ORIGINS: entry ${index + 1} is not an origin (scheme, host and port only, such as https://support.example.com).`,
      );
    } else {
      origins.push(url.origin);
    }
  });
  return origins;
}
