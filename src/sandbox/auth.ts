// Bearer authentication (static key or OAuth client-credentials token) and the token endpoint.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { ApiError, jsonReply, type Reply } from "./http.js";

/** Not a secret: the client secret, like the API key, is random per sandbox (see startSandbox). */
export const SANDBOX_CLIENT_ID = "sandbox-client";
const DEFAULT_SCOPE = "customers:read customers:write tickets:write refunds:write exports:write";

interface IssuedToken {
  expiresAtMs: number;
  scope: string;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (typeof auth !== "string") return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
  return match?.[1] ?? null;
}

export class Authenticator {
  readonly #tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly apiKey: string,
    private readonly clientSecret: string,
    private readonly clock: () => number,
    private readonly ttlSeconds: number,
  ) {}

  isApiKey(token: string | null): boolean {
    return token !== null && safeEqual(token, this.apiKey);
  }

  /** Throws 401 unless the request carries the API key or a live token. */
  require(headers: IncomingHttpHeaders): void {
    const token = bearerToken(headers);
    if (token === null) throw unauthorized("Missing bearer token.");
    if (this.isApiKey(token)) return;
    const issued = this.#tokens.get(token);
    if (!issued) throw unauthorized("Invalid bearer token.");
    if (this.clock() >= issued.expiresAtMs) {
      this.#tokens.delete(token);
      throw unauthorized("The access token has expired.");
    }
  }

  requireApiKey(headers: IncomingHttpHeaders): void {
    if (!this.isApiKey(bearerToken(headers)))
      throw unauthorized("The admin routes need the sandbox API key.");
  }

  revokeAll(): void {
    this.#tokens.clear();
  }

  /** POST /oauth/token: client credentials in the form body or HTTP Basic; OAuth-style error bodies. */
  tokenEndpoint(headers: IncomingHttpHeaders, raw: Buffer): Reply {
    const form = parseForm(headers, raw);
    const basic = basicCredentials(headers);
    const grantType = form.get("grant_type");
    if (!grantType) return oauthError(400, "invalid_request", "grant_type is required");
    if (grantType !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", "only client_credentials is supported");
    }
    const clientId = basic?.id ?? form.get("client_id") ?? "";
    const secret = basic?.secret ?? form.get("client_secret") ?? "";
    if (!safeEqual(clientId, SANDBOX_CLIENT_ID) || !safeEqual(secret, this.clientSecret)) {
      return oauthError(401, "invalid_client", "client authentication failed");
    }
    const scope = form.get("scope")?.trim() || DEFAULT_SCOPE;
    const now = this.clock();
    this.#sweep(now);
    const token = `sbx_at_${randomBytes(24).toString("base64url")}`;
    this.#tokens.set(token, { expiresAtMs: now + this.ttlSeconds * 1000, scope });
    return jsonReply(
      200,
      { access_token: token, token_type: "Bearer", expires_in: this.ttlSeconds, scope },
      { "Cache-Control": "no-store", Pragma: "no-cache" },
    );
  }

  #sweep(now: number): void {
    if (this.#tokens.size < 10_000) return;
    for (const [token, issued] of this.#tokens) if (now >= issued.expiresAtMs) this.#tokens.delete(token);
  }
}

function unauthorized(message: string): ApiError {
  return new ApiError(401, "authentication_failed", message, undefined, {
    "WWW-Authenticate": 'Bearer realm="customer-api"',
  });
}

function oauthError(status: number, error: string, description: string): Reply {
  return jsonReply(status, { error, error_description: description }, { "Cache-Control": "no-store" });
}

/** Accepts the standard form encoding, and JSON for lenient clients. */
function parseForm(headers: IncomingHttpHeaders, raw: Buffer): URLSearchParams {
  const text = raw.toString("utf8");
  if ((headers["content-type"] ?? "").includes("application/json")) {
    try {
      const value: unknown = JSON.parse(text);
      const params = new URLSearchParams();
      if (typeof value === "object" && value !== null) {
        for (const [k, v] of Object.entries(value)) if (typeof v === "string") params.set(k, v);
      }
      return params;
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(text);
}

function basicCredentials(headers: IncomingHttpHeaders): { id: string; secret: string } | null {
  const auth = headers.authorization;
  const match = typeof auth === "string" ? /^Basic[ \t]+([A-Za-z0-9+/=]+)\s*$/i.exec(auth) : null;
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}
