// A real OAuth 2.1 authorization server for tests, on 127.0.0.1 with an ephemeral port: oidc-provider with the
// client-credentials grant and resource indicators (RFC 8707), issuing RFC 9068 JWT access tokens whose audience
// is the resource asked for. Each call starts an independent server (own keys, own clients, own store), so the
// token tests, the HTTP transport tests and a multi-replica test can each start one, or share one between
// several servers under test.
//
//   const as = await startAuthServer();                      // issuer http://127.0.0.1:<port>, ES256 keys
//   const token = await as.token({ scopes: ["customers:read"] });        // a real token for as.resource
//   const crafted = await as.sign({ exp: 0 });               // a token the AS would not issue, signed with its key
//   await as.rotateKeys();                                   // new signing key, published beside the old one
//   as.setOutage(true);                                      // every request answers 503 until set back
//   await as.close();
//
// What a well-behaved AS never issues (expired, wrong issuer, odd claims) comes from sign(), with the AS's real
// current key; tokens under keys it does not publish, `alg: none` or HS256 are built in the test itself.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import Provider, { type Adapter, type AdapterPayload, type Configuration } from "oidc-provider";
import { SCOPES } from "../../src/policy/access.js";

export const TEST_RESOURCE = "https://customer-mcp.test/mcp";

export type SigningAlgorithm = "RS256" | "PS256" | "ES256" | "Ed25519";

export interface AuthServerOptions {
  /** The default resource (audience) of tokens. Default TEST_RESOURCE. */
  resource?: string;
  /** The scope names the AS issues, for any resource. Default: this server's SCOPES, unprefixed. */
  scopes?: readonly string[];
  /** Registered client ids (each gets a secret). Default ["test-client"]. */
  clients?: readonly string[];
  /** Default ES256: its keys are generated in a millisecond, RSA keys take a hundred. */
  algorithm?: SigningAlgorithm;
  /** The port to listen on (127.0.0.1). Default 0: a free one. */
  port?: number;
  /** Gives the issuer a path, e.g. "/tenant-a" → http://127.0.0.1:<port>/tenant-a. */
  issuerPath?: string;
  /** Serve RFC 8414 metadata (/.well-known/oauth-authorization-server…) besides OpenID discovery. Default true. */
  rfc8414?: boolean;
  /** For an issuer with a path, serve the well-known documents with the path inserted after them. Default true. */
  pathInsertion?: boolean;
  /** Lifetime of issued access tokens. Default 300 s. */
  accessTokenTtlSec?: number;
}

export interface TokenRequest {
  /** Scope names to ask for; the AS drops those it does not issue. Default: none. */
  scopes?: readonly string[];
  /** RFC 8707 resource indicator. Default: the server's resource. */
  resource?: string;
  /** One of the registered clients. Default: the first. */
  clientId?: string;
}

export interface SignOptions {
  /** Default: the current signing key. */
  kid?: string;
  /** Default "at+jwt"; null leaves typ out. */
  typ?: string | null;
}

export interface AuthServer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly tokenUrl: string;
  readonly resource: string;
  /** The kid that signs tokens now. */
  readonly kid: string;
  /** The path (and query) of every request the server received, oldest first (the last 1,000). */
  readonly requests: readonly string[];
  /** A real access token from the token endpoint (client credentials). */
  token(request?: TokenRequest): Promise<string>;
  /**
   * A JWT signed with the AS's current key. Defaults to what the AS issues (iss, aud, sub, client_id, jti,
   * iat, exp in 300 s); `claims` override them, and a claim set to undefined is left out.
   */
  sign(claims?: Record<string, unknown>, options?: SignOptions): Promise<string>;
  /** The current signing key's public JWK, as published. */
  publicJwk(): JWK;
  /**
   * Signs with a new key from now on. The previous key stays published (tokens it signed remain valid) unless
   * `retirePrevious`; older keys are dropped. Returns the new kid.
   */
  rotateKeys(options?: { retirePrevious?: boolean }): Promise<string>;
  /** While down, every request answers 503: the metadata, the key set and the token endpoint. */
  setOutage(down: boolean): void;
  close(): Promise<void>;
}

interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

const MAX_LOGGED_REQUESTS = 1_000;

async function newKey(algorithm: SigningAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  const kid = `key-${randomUUID().slice(0, 8)}`;
  const meta = { kid, alg: algorithm, use: "sig" };
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...(await exportJWK(publicKey)), ...meta },
  };
}

/**
 * oidc-provider's own in-memory adapter keeps one store per process, shared by every provider in it; this one is
 * per server, so servers started side by side share nothing.
 */
function storeFor(entries: Map<string, AdapterPayload>): (name: string) => Adapter {
  return (name) => {
    const key = (id: string) => `${name}:${id}`;
    const find = async (id: string) => entries.get(key(id));
    const findBy = async (field: "uid" | "userCode", value: string) =>
      [...entries.entries()].find(([entry, payload]) => entry.startsWith(`${name}:`) && payload[field] === value)?.[1];
    return {
      upsert: async (id, payload) => void entries.set(key(id), payload),
      find,
      findByUid: (uid) => findBy("uid", uid),
      findByUserCode: (code) => findBy("userCode", code),
      consume: async (id) => {
        const payload = entries.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => void entries.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [entry, payload] of entries) if (payload.grantId === grantId) entries.delete(entry);
      },
    };
  };
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const algorithm = options.algorithm ?? "ES256";
  const resource = options.resource ?? TEST_RESOURCE;
  const scopes = options.scopes ?? SCOPES;
  const clientIds = options.clients ?? ["test-client"];
  const secret = randomBytes(32).toString("base64url");
  const ttlSec = options.accessTokenTtlSec ?? 300;
  const path = options.issuerPath?.replace(/\/$/, "") ?? "";
  const rfc8414 = options.rfc8414 ?? true;
  const pathInsertion = options.pathInsertion ?? true;

  const requests: string[] = [];
  let outage = false;
  let keys: SigningKey[] = [await newKey(algorithm)];
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    requests.push(url);
    if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();
    if (outage) {
      res.writeHead(503, { "content-type": "application/json", connection: "close" }).end('{"error":"temporarily_unavailable"}');
      return;
    }
    const routed = route(url);
    if (routed === undefined) {
      res.writeHead(404).end();
      return;
    }
    // As a framework mounting the provider at the issuer's path would: oidc-provider finds its mount path from
    // originalUrl, and builds the URLs in its metadata (jwks_uri, token_endpoint) under it.
    req.url = routed;
    Object.assign(req, { originalUrl: `${path}${routed}` });
    handler(req, res);
  });

  /** The URL as the provider sees it (mounted at the issuer's path), or undefined for a 404. */
  function route(url: string): string | undefined {
    const pathname = url.split("?")[0] ?? "";
    if (!rfc8414 && pathname.includes("/.well-known/oauth-authorization-server")) return undefined;
    if (path === "") return url;
    for (const document of ["oauth-authorization-server", "openid-configuration"]) {
      if (pathname === `/.well-known/${document}${path}`) return pathInsertion ? `/.well-known/${document}` : undefined;
    }
    return url.startsWith(`${path}/`) ? url.slice(path.length) : undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}${path}`;

  // A provider is built for each set of keys: oidc-provider reads its key store once, at construction.
  const build = (): void => {
    const [signing] = keys;
    if (!signing) throw new Error("no signing key");
    const configuration: Configuration = {
      adapter: storeFor(new Map()),
      jwks: { keys: keys.map((key) => key.privateJwk) },
      clients: clientIds.map((clientId) => ({
        client_id: clientId,
        client_secret: secret,
        grant_types: ["client_credentials"],
        redirect_uris: [],
        response_types: [],
      })),
      clientDefaults: { id_token_signed_response_alg: algorithm },
      ttl: { ClientCredentials: ttlSec },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => resource,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator) => ({
            scope: scopes.join(" "),
            audience: indicator,
            accessTokenFormat: "jwt",
            accessTokenTTL: ttlSec,
            jwt: { sign: { alg: algorithm, kid: signing.kid } },
          }),
        },
      },
    };
    handler = new Provider(issuer, configuration).callback();
  };
  build();

  const current = (): SigningKey => {
    const [key] = keys;
    if (!key) throw new Error("no signing key");
    return key;
  };

  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    tokenUrl: `${issuer}/token`,
    resource,
    get kid() {
      return current().kid;
    },
    requests,
    async token(request = {}) {
      const clientId = request.clientId ?? clientIds[0] ?? "";
      if (!clientIds.includes(clientId)) throw new Error(`no client ${clientId} on this authorization server`);
      const body = new URLSearchParams({ grant_type: "client_credentials", resource: request.resource ?? resource });
      if (request.scopes && request.scopes.length > 0) body.set("scope", request.scopes.join(" "));
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      const answer = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !answer.access_token) {
        throw new Error(`token request failed: ${response.status} ${answer.error ?? ""} ${answer.error_description ?? ""}`);
      }
      return answer.access_token;
    },
    async sign(claims = {}, signOptions = {}) {
      const key = signOptions.kid ? keys.find((candidate) => candidate.kid === signOptions.kid) : current();
      if (!key) throw new Error(`no key ${signOptions.kid} on this authorization server`);
      const now = Math.floor(Date.now() / 1000);
      const defaults = {
        iss: issuer,
        aud: resource,
        sub: clientIds[0],
        client_id: clientIds[0],
        jti: randomUUID(),
        iat: now,
        exp: now + ttlSec,
      };
      const payload = Object.fromEntries(
        Object.entries({ ...defaults, ...claims }).filter(([, value]) => value !== undefined),
      ) as JWTPayload;
      const typ = signOptions.typ === undefined ? "at+jwt" : signOptions.typ;
      return new SignJWT(payload)
        .setProtectedHeader({ alg: algorithm, kid: key.kid, ...(typ === null ? {} : { typ }) })
        .sign(await importJWK(key.privateJwk, algorithm));
    },
    publicJwk: () => ({ ...current().publicJwk }),
    async rotateKeys(rotation = {}) {
      const next = await newKey(algorithm);
      keys = rotation.retirePrevious ? [next] : [next, current()];
      build();
      return next.kid;
    },
    setOutage(down) {
      outage = down;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
