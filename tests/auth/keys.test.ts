// Where the verifier's keys come from, against real authorization servers on loopback: discovery in the order the
// MCP spec gives, the issuer check, key rotation without a restart, and what happens while the issuer is down or
// unreachable (no crash, a clear reason, fail fast, recovery). The verifier's clock is a manual one, so backoff,
// key age and staleness are stepped through without waiting.
import { createServer as createHttpServer, type RequestListener } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { metadataUrls } from "../../src/auth/discovery.js";
import { TokenError } from "../../src/auth/errors.js";
import { createTokenVerifier, type TokenVerifierOptions } from "../../src/auth/verifier.js";
import { manualClock } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { type AuthServer, type AuthServerOptions, startAuthServer } from "../helpers/oauth.js";

const started: AuthServer[] = [];
const stubs: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const server of started.splice(0)) await server.close();
  for (const close of stubs.splice(0)) await close();
});

async function authServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const server = await startAuthServer(options);
  started.push(server);
  return server;
}

function setup(as: AuthServer, options: Partial<TokenVerifierOptions> = {}) {
  const logs = captureLogs("debug");
  const clock = manualClock(Date.now());
  const verifier = createTokenVerifier({
    issuer: as.issuer,
    audience: as.resource,
    logger: logs.logger,
    clock,
    ...options,
  });
  return { verifier, clock, logs };
}

async function failure(promise: Promise<unknown>): Promise<TokenError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TokenError);
  return error as TokenError;
}

/**
 * A stand-in issuer for what a real authorization server never does (redirects, bad documents, silence), on
 * loopback; closed after the test with every connection it holds.
 */
async function stubIssuer(handle: RequestListener): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createHttpServer(handle).on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stubs.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Requests other than token requests (metadata and key set), since `from`. */
const fetchesSince = (as: AuthServer, from: number) => as.requests.slice(from).filter((path) => !path.endsWith("/token"));

describe("discovery", () => {
  it("lists the metadata URLs in the MCP spec's order, path inserted or appended", () => {
    expect(metadataUrls("https://idp.test").map(String)).toEqual([
      "https://idp.test/.well-known/oauth-authorization-server",
      "https://idp.test/.well-known/openid-configuration",
    ]);
    expect(metadataUrls("https://idp.test/tenant1").map(String)).toEqual([
      "https://idp.test/.well-known/oauth-authorization-server/tenant1",
      "https://idp.test/.well-known/openid-configuration/tenant1",
      "https://idp.test/tenant1/.well-known/openid-configuration",
    ]);
    expect(metadataUrls("https://idp.test/t/").map(String)).toEqual([
      "https://idp.test/.well-known/oauth-authorization-server/t/",
      "https://idp.test/.well-known/openid-configuration/t/",
      "https://idp.test/t/.well-known/openid-configuration",
    ]);
  });

  it("reads RFC 8414 metadata first, and fetches the key set once for many tokens", async () => {
    const as = await authServer();
    const { verifier, logs } = setup(as);
    const token = await as.token({ scopes: ["customers:read"] });
    for (let i = 0; i < 5; i++) await verifier.verify(token);
    expect(fetchesSince(as, 0)).toEqual(["/.well-known/oauth-authorization-server", "/jwks"]);
    expect(logs.lines().find((line) => line.msg === "Token signing keys: discovered")).toMatchObject({
      jwksUri: as.jwksUrl,
      metadataUrl: `${as.issuer}/.well-known/oauth-authorization-server`,
    });
  });

  it("discovers and fetches once for a burst of concurrent first tokens", async () => {
    const as = await authServer();
    const { verifier } = setup(as);
    const token = await as.token({ scopes: ["customers:read"] });
    const results = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    expect(results.every((result) => result.subject === "test-client")).toBe(true);
    expect(fetchesSince(as, 0)).toEqual(["/.well-known/oauth-authorization-server", "/jwks"]);
  });

  it("falls back to OpenID Connect discovery when the issuer has no RFC 8414 document", async () => {
    const as = await authServer({ rfc8414: false });
    const { verifier } = setup(as);
    await verifier.verify(await as.token());
    expect(fetchesSince(as, 0)).toEqual([
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
      "/jwks",
    ]);
  });

  it("inserts an issuer's path after the well-known prefix (RFC 8414 section 3.1)", async () => {
    const as = await authServer({ issuerPath: "/tenant-a" });
    const { verifier } = setup(as);
    await verifier.verify(await as.token());
    expect(fetchesSince(as, 0)).toEqual(["/.well-known/oauth-authorization-server/tenant-a", "/tenant-a/jwks"]);
  });

  it("appends the OpenID document to a path issuer that serves nothing else", async () => {
    const as = await authServer({ issuerPath: "/tenant-b", rfc8414: false, pathInsertion: false });
    const { verifier } = setup(as);
    await expect(verifier.verify(await as.token({ scopes: ["tickets:read"] }))).resolves.toMatchObject({
      scopes: ["tickets:read"],
    });
    expect(fetchesSince(as, 0)).toEqual([
      "/.well-known/oauth-authorization-server/tenant-b",
      "/.well-known/openid-configuration/tenant-b",
      "/tenant-b/.well-known/openid-configuration",
      "/tenant-b/jwks",
    ]);
  });

  it("refuses metadata whose issuer is not exactly the configured one", async () => {
    const as = await authServer();
    // The same server under another name: its documents say 127.0.0.1, so none of them is for this issuer.
    const { verifier, logs } = setup(as, { issuer: as.issuer.replace("127.0.0.1", "localhost") });
    const refused = await failure(verifier.verify(await as.token()));
    expect(refused.reason).toBe("keys_unavailable");
    expect(refused.retryable).toBe(true);
    expect(refused.detail).toContain(`names issuer "${as.issuer}"`);
    expect(await verifier.ready()).toBe(false);
    expect(logs.text()).toContain("discovery failed");
    expect(fetchesSince(as, 0)).not.toContain("/jwks");
  });
});

describe("discovery refuses", () => {
  it("a redirect, and a jwks_uri over plain http off loopback", async () => {
    const paths: string[] = [];
    const issuer = await stubIssuer((req, res) => {
      paths.push(req.url ?? "");
      if (req.url === "/.well-known/oauth-authorization-server") {
        res.writeHead(302, { location: "/elsewhere" }).end();
        return;
      }
      const document = { issuer: `http://${req.headers.host}`, jwks_uri: "http://keys.example.com/jwks" };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document));
    });
    const verifier = createTokenVerifier({ issuer, audience: "https://x.test/mcp", logger: captureLogs().logger });
    const refused = await failure(verifier.verify("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
    expect(refused.reason).toBe("keys_unavailable");
    expect(refused.detail).toContain("/.well-known/oauth-authorization-server answered 302");
    expect(refused.detail).toContain("its jwks_uri must use https");
    expect(paths).toEqual(["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]);
  });
});

describe("key rotation", () => {
  it("accepts tokens under a new key after the issuer rotates, without a restart", async () => {
    const as = await authServer();
    const { verifier } = setup(as, { jwksCooldownMs: 0 });
    const before = await as.token({ scopes: ["customers:read"] });
    await verifier.verify(before);
    const oldKid = as.kid;
    const newKid = await as.rotateKeys();
    expect(newKid).not.toBe(oldKid);
    const after = await as.token({ scopes: ["customers:read"] });
    await expect(verifier.verify(after)).resolves.toMatchObject({ scopes: ["customers:read"] });
    // The old key is still published, so tokens it signed stay valid until they expire.
    await expect(verifier.verify(before)).resolves.toMatchObject({ subject: "test-client" });
    expect(fetchesSince(as, 0).filter((path) => path === "/jwks")).toHaveLength(2);
  });

  it("refuses tokens under a retired key once the new set is fetched", async () => {
    const as = await authServer();
    const { verifier } = setup(as, { jwksCooldownMs: 0 });
    const before = await as.token();
    await verifier.verify(before);
    await as.rotateKeys({ retirePrevious: true });
    await verifier.verify(await as.token());
    expect((await failure(verifier.verify(before))).reason).toBe("unknown_key");
  });

  it("refetches for unknown keys at most once per cooldown, however many tokens name one", async () => {
    const as = await authServer();
    const { verifier } = setup(as);
    await verifier.verify(await as.token());
    const from = as.requests.length;
    const [, payload, signature] = (await as.sign()).split(".");
    for (let i = 0; i < 20; i++) {
      const header = Buffer.from(JSON.stringify({ alg: "RS256", kid: `random-${i}` })).toString("base64url");
      expect((await failure(verifier.verify(`${header}.${payload}.${signature}`))).reason).toBe("unknown_key");
    }
    expect(fetchesSince(as, from)).toEqual([]);
  });

  it("refetches keys once they are older than the maximum age", async () => {
    const as = await authServer();
    const { verifier, clock } = setup(as, { jwksMaxAgeMs: 60_000 });
    const token = await as.token();
    await verifier.verify(token);
    clock.advance(59_000);
    await verifier.verify(token);
    expect(fetchesSince(as, 0).filter((path) => path === "/jwks")).toHaveLength(1);
    clock.advance(2_000);
    await verifier.verify(token);
    expect(fetchesSince(as, 0).filter((path) => path === "/jwks")).toHaveLength(2);
  });
});

describe("when the issuer is down", () => {
  it("is not ready and refuses with keys_unavailable, fails fast while backing off, and recovers", async () => {
    const as = await authServer();
    const token = await as.token({ scopes: ["customers:read"] });
    as.setOutage(true);
    const { verifier, clock, logs } = setup(as);
    expect(await verifier.ready()).toBe(false);
    const refused = await failure(verifier.verify(token));
    expect(refused.reason).toBe("keys_unavailable");
    expect(refused.retryable).toBe(true);
    expect(refused.message).toBe("The authorization server's signing keys could not be obtained; try again shortly.");
    expect(logs.text()).toContain("answered 503");
    // Within the backoff nothing more is asked of the issuer.
    const asked = as.requests.length;
    for (let i = 0; i < 10; i++) expect((await failure(verifier.verify(token))).reason).toBe("keys_unavailable");
    expect(await verifier.ready()).toBe(false);
    expect(as.requests.length).toBe(asked);
    as.setOutage(false);
    clock.advance(1_000);
    expect(await verifier.ready()).toBe(true);
    await expect(verifier.verify(token)).resolves.toMatchObject({ scopes: ["customers:read"] });
  });

  it("doubles the backoff after each failure, up to 30 s", async () => {
    const as = await authServer();
    as.setOutage(true);
    const { verifier, clock, logs } = setup(as);
    for (let i = 0; i < 7; i++) {
      expect(await verifier.ready()).toBe(false);
      clock.advance(30_000);
    }
    const waits = logs.lines().filter((line) => line.retryInMs !== undefined).map((line) => line.retryInMs);
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it("keeps verifying with the keys it has while the key set cannot be refetched, up to the stale limit", async () => {
    const as = await authServer({ accessTokenTtlSec: 3_600 });
    // No cooldown, so that only the backoff stands between an unknown kid and another fetch.
    const { verifier, clock, logs } = setup(as, { jwksMaxAgeMs: 60_000, jwksMaxStaleMs: 600_000, jwksCooldownMs: 0 });
    const token = await as.token({ scopes: ["billing:read"] });
    await verifier.verify(token);
    as.setOutage(true);
    clock.advance(120_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ scopes: ["billing:read"] });
    expect(await verifier.ready()).toBe(true);
    expect(logs.text()).toContain("using the last keys fetched");
    // While backing off, a token naming an unknown key is looked up in the keys at hand, not fetched for.
    const asked = as.requests.length;
    const [, payload, signature] = token.split(".");
    const unknownKid = Buffer.from(JSON.stringify({ alg: "ES256", kid: "not-published" })).toString("base64url");
    expect((await failure(verifier.verify(`${unknownKid}.${payload}.${signature}`))).reason).toBe("unknown_key");
    expect(as.requests.length).toBe(asked);
    clock.advance(600_000);
    expect((await failure(verifier.verify(token))).reason).toBe("keys_unavailable");
    expect(await verifier.ready()).toBe(false);
    as.setOutage(false);
    clock.advance(30_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ scopes: ["billing:read"] });
  });

  it("refuses with keys_unavailable when nothing listens at the issuer, and never throws from ready()", async () => {
    const as = await authServer();
    const issuer = as.issuer;
    const token = await as.token();
    await as.close();
    started.length = 0;
    const { verifier, logs } = setup(as, { issuer });
    expect(await verifier.ready()).toBe(false);
    const refused = await failure(verifier.verify(token));
    expect(refused.reason).toBe("keys_unavailable");
    expect(logs.text()).toContain("ECONNREFUSED");
  });

  // Without the request timeout this would wait for the issuer forever; the test's own timeout catches that.
  it("gives up on an issuer that accepts connections and never answers", { timeout: 5_000 }, async () => {
    const issuer = await stubIssuer(() => undefined);
    const logs = captureLogs("debug");
    const verifier = createTokenVerifier({ issuer, audience: "https://x.test/mcp", logger: logs.logger, timeoutMs: 100 });
    expect(await verifier.ready()).toBe(false);
    expect(logs.text()).toMatch(/could not be fetched/);
  });

  it("is not ready while the key set holds no keys", async () => {
    const url = await stubIssuer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[]}');
    });
    const verifier = createTokenVerifier({ issuer: url, jwksUrl: `${url}/jwks`, audience: "https://x.test/mcp", logger: captureLogs().logger });
    expect(await verifier.ready()).toBe(false);
  });

  it("refuses with keys_unavailable when the key set URL itself fails, and recovers", async () => {
    const as = await authServer();
    const token = await as.token();
    as.setOutage(true);
    const { verifier, clock } = setup(as, { jwksUrl: as.jwksUrl });
    expect((await failure(verifier.verify(token))).reason).toBe("keys_unavailable");
    as.setOutage(false);
    clock.advance(1_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: "test-client" });
  });
});
