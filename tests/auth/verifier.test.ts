// The token verifier against a real authorization server on loopback: what it accepts (real tokens, each default
// algorithm, the claim shapes identity providers use) and every way a token is refused, with the reason a client
// is told. Time is injected through the verifier's clock; nothing here sleeps.
import { createHmac, createPublicKey, type JsonWebKey } from "node:crypto";
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantedScopes } from "../../src/auth/scopes.js";
import { TokenError, type TokenFailure } from "../../src/auth/errors.js";
import { createTokenVerifier, type TokenVerifierOptions } from "../../src/auth/verifier.js";
import { ConfigurationError } from "../../src/errors.js";
import { SCOPES } from "../../src/policy/access.js";
import { captureLogs } from "../helpers/logs.js";
import { type AuthServer, type SigningAlgorithm, startAuthServer } from "../helpers/oauth.js";

const PREFIX = "api://customer-mcp/";
let as: AuthServer;
const logs = captureLogs("debug");

beforeAll(async () => {
  // RSA keys, the most common kind and the one the algorithm-confusion attack is about. The server issues this
  // server's scopes, the same names under a prefix, and one scope of another API.
  as = await startAuthServer({
    algorithm: "RS256",
    scopes: [...SCOPES, ...SCOPES.map((scope) => PREFIX + scope), "calendar:read"],
  });
});
afterAll(async () => {
  await as.close();
});

function verifier(options: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({ issuer: as.issuer, audience: as.resource, logger: logs.logger, ...options });
}

/** The claims the authorization server would issue, with `extra` added: for tokens it never signed. */
function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: as.issuer, aud: as.resource, sub: "test-client", client_id: "test-client", iat: now, exp: now + 300, ...extra };
}

/** A token with the issuer's claims, signed with a fresh key of this test's own under `kid`. */
async function forge(algorithm: "RS256" | "ES256", kid: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await generateKeyPair(algorithm);
  return new SignJWT(claims(extra)).setProtectedHeader({ alg: algorithm, kid, typ: "at+jwt" }).sign(privateKey);
}

const base64url = (value: object | string) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** The TokenError a verification fails with (and fails the test if it succeeds or throws anything else). */
async function refusal(token: string, options: Partial<TokenVerifierOptions> = {}): Promise<TokenError> {
  const error: unknown = await verifier(options).verify(token).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TokenError);
  const failure = error as TokenError;
  // Whatever the reason, neither the message nor the log detail quotes the token or its signature.
  const signature = token.split(".")[2] ?? token;
  for (const text of [failure.message, failure.detail ?? "", logs.text()]) {
    if (token.length > 8) expect(text).not.toContain(token);
    if (signature.length > 8) expect(text).not.toContain(signature);
  }
  return failure;
}

async function refusedWith(token: string, reason: TokenFailure, options: Partial<TokenVerifierOptions> = {}) {
  const failure = await refusal(token, options);
  expect(failure.reason, failure.detail).toBe(reason);
  expect(failure.retryable).toBe(false);
  return failure;
}

describe("a token the authorization server issued", () => {
  it("gives the subject, scopes, client, token id and expiry", async () => {
    const token = await as.token({ scopes: ["customers:read", "tickets:read"] });
    const claims = decodeJwt(token);
    const verified = await verifier().verify(token);
    expect(verified).toEqual({
      subject: "test-client",
      scopes: ["customers:read", "tickets:read"],
      clientId: "test-client",
      tokenId: claims.jti,
      expiresAt: (claims.exp ?? 0) * 1000,
    });
    expect(grantedScopes(verified.scopes)).toEqual(["customers:read", "tickets:read"]);
  });

  it("is accepted when the audience list holds the resource among others", async () => {
    const token = await as.token({ scopes: ["customers:read"] });
    const verified = await verifier({ audience: ["https://old-name.test/mcp", as.resource] }).verify(token);
    expect(verified.subject).toBe("test-client");
  });

  const algorithms: SigningAlgorithm[] = ["RS256", "PS256", "ES256", "Ed25519"];
  it.each(algorithms)("is accepted signed with %s", async (algorithm) => {
    const other = await startAuthServer({ algorithm });
    try {
      const token = await other.token({ scopes: ["billing:read"] });
      const verified = await verifier({ issuer: other.issuer, audience: other.resource }).verify(token);
      expect(verified.scopes).toEqual(["billing:read"]);
    } finally {
      await other.close();
    }
  });

  it("is refused once expired, beyond the clock tolerance", async () => {
    const token = await as.token({ scopes: ["customers:read"] });
    const exp = (decodeJwt(token).exp ?? 0) * 1000;
    const at = (ms: number) => ({ clock: { now: () => ms } });
    await expect(verifier(at(exp + 29_000)).verify(token)).resolves.toMatchObject({ subject: "test-client" });
    const failure = await refusedWith(token, "expired", at(exp + 31_000));
    expect(failure.message).toBe("The access token has expired.");
    await refusedWith(token, "expired", { ...at(exp + 1_000), clockToleranceSec: 0 });
  });

  it("is refused for another resource (RFC 8707 audience)", async () => {
    const token = await as.token({ scopes: ["customers:read"], resource: "https://other-service.test/mcp" });
    expect(decodeJwt(token).aud).toBe("https://other-service.test/mcp");
    await refusedWith(token, "wrong_audience");
  });

  it("is refused by a verifier that trusts another issuer, whose keys these are not", async () => {
    const other = await startAuthServer();
    try {
      const token = await other.token({ scopes: ["customers:read"] });
      // Signed by a key the trusted issuer does not publish: refused before its iss is even read.
      await refusedWith(token, "unknown_key");
    } finally {
      await other.close();
    }
  });

  it("carries no scope when none was asked for, and unknown scopes map to none", async () => {
    const none = await verifier().verify(await as.token());
    expect(none.scopes).toEqual([]);
    expect(grantedScopes(none.scopes)).toEqual([]);
    const foreign = await verifier().verify(await as.token({ scopes: ["calendar:read"] }));
    expect(foreign.scopes).toEqual(["calendar:read"]);
    expect(grantedScopes(foreign.scopes)).toEqual([]);
  });

  it("maps prefixed scopes when a prefix is configured, and then ignores unprefixed ones", async () => {
    const token = await as.token({ scopes: [`${PREFIX}customers:read`, `${PREFIX}customers:pii`, "tickets:write"] });
    const { scopes } = await verifier().verify(token);
    expect(grantedScopes(scopes, PREFIX)).toEqual(["customers:read", "customers:pii"]);
    expect(grantedScopes(scopes)).toEqual(["tickets:write"]);
  });
});

describe("claims an identity provider may use instead", () => {
  it("reads scp as an array (Okta) or a space-separated string (Entra ID)", async () => {
    const asArray = await as.sign({ scope: undefined, scp: ["customers:read", "billing:read"] });
    expect((await verifier().verify(asArray)).scopes).toEqual(["customers:read", "billing:read"]);
    const asString = await as.sign({ scope: undefined, scp: "tickets:read tickets:write" });
    expect((await verifier().verify(asString)).scopes).toEqual(["tickets:read", "tickets:write"]);
  });

  it("prefers scope over scp when both are present", async () => {
    const token = await as.sign({ scope: "customers:read", scp: ["refunds:write"] });
    expect((await verifier().verify(token)).scopes).toEqual(["customers:read"]);
  });

  it("takes the client from azp when there is no client_id, and the tenant from tid or another claim", async () => {
    const token = await as.sign({ client_id: undefined, azp: "desktop-app", tid: "org-1", org: "org-2" });
    const verified = await verifier().verify(token);
    expect(verified.clientId).toBe("desktop-app");
    expect(verified.tenant).toBe("org-1");
    expect((await verifier({ tenantClaim: "org" }).verify(token)).tenant).toBe("org-2");
  });

  it("accepts typ JWT or no typ by default, and only at+jwt when asked to", async () => {
    const typed = await as.sign({}, { typ: "JWT" });
    const untyped = await as.sign({}, { typ: null });
    const mediaType = await as.sign({}, { typ: "application/AT+JWT" });
    await expect(verifier().verify(typed)).resolves.toMatchObject({ subject: "test-client" });
    await expect(verifier().verify(untyped)).resolves.toMatchObject({ subject: "test-client" });
    await expect(verifier({ requireAccessTokenType: true }).verify(mediaType)).resolves.toMatchObject({
      subject: "test-client",
    });
    await refusedWith(typed, "wrong_type", { requireAccessTokenType: true });
    await refusedWith(untyped, "wrong_type", { requireAccessTokenType: true });
  });
});

describe("tokens refused", () => {
  it("not valid yet (nbf in the future)", async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedWith(await as.sign({ nbf: now + 3_600 }), "not_yet_valid");
  });

  it("from another issuer, even when signed with the trusted issuer's key", async () => {
    const failure = await refusedWith(await as.sign({ iss: "https://evil.test" }), "wrong_issuer");
    expect(failure.message).not.toContain("evil");
  });

  it("typed as something other than an access token", async () => {
    await refusedWith(await as.sign({}, { typ: "id_token+jwt" }), "wrong_type");
    await refusedWith(await as.sign({}, { typ: "dpop+jwt" }), "wrong_type");
  });

  it("without sub or exp", async () => {
    await refusedWith(await as.sign({ sub: undefined }), "missing_claim");
    await refusedWith(await as.sign({ exp: undefined }), "missing_claim");
  });

  it("with claims of the wrong type", async () => {
    await refusedWith(await as.sign({ scope: ["customers:read"] }), "malformed");
    await refusedWith(await as.sign({ scp: [1, 2], scope: undefined }), "malformed");
    await refusedWith(await as.sign({ client_id: 42 }), "malformed");
    await refusedWith(await as.sign({ sub: "x".repeat(300) }), "malformed");
    // Neither could key state or be named upstream without turning into another subject.
    await refusedWith(await as.sign({ sub: "alice\ud800" }), "malformed");
    await refusedWith(await as.sign({ sub: "alice\nINJECTED" }), "malformed");
    await refusedWith(await as.sign({ jti: "id\u0000" }), "malformed");
    // A well-formed pair outside the BMP is a subject like any other.
    expect((await verifier().verify(await as.sign({ sub: "ali😀ce" }))).subject).toBe("ali😀ce");
  });

  it("signed with a key the issuer does not publish", async () => {
    const forged = await forge("RS256", "attacker-key", { scope: "customers:pii refunds:write" });
    const failure = await refusedWith(forged, "unknown_key");
    expect(failure.message).toBe("The access token is signed with a key the authorization server does not publish.");
  });

  it("signed with another key under a published kid", async () => {
    await refusedWith(await forge("RS256", as.kid, { scope: "customers:pii" }), "bad_signature");
  });

  it("whose payload was changed after signing", async () => {
    const [header, , signature] = (await as.token({ scopes: ["customers:read"] })).split(".");
    await refusedWith(`${header}.${base64url(claims({ scope: "refunds:write" }))}.${signature}`, "bad_signature");
  });

  it("with alg none, with or without a kid and a signature", async () => {
    const payload = base64url(claims({ scope: "customers:pii" }));
    for (const header of [{ alg: "none" }, { alg: "none", typ: "at+jwt", kid: as.kid }, { alg: "NONE" }]) {
      await refusedWith(`${base64url(header)}.${payload}.`, "algorithm_not_allowed");
      await refusedWith(`${base64url(header)}.${payload}.${base64url("x")}`, "algorithm_not_allowed");
    }
  });

  it("signed with HS256 using the published public key as the secret (algorithm confusion)", async () => {
    const jwk = as.publicJwk();
    const pem = createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }).export({ type: "spki", format: "pem" });
    const header = base64url({ alg: "HS256", typ: "at+jwt", kid: as.kid });
    const payload = base64url(claims({ scope: "refunds:write" }));
    for (const secret of [pem, JSON.stringify(jwk), jwk.n ?? ""]) {
      const mac = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
      await refusedWith(`${header}.${payload}.${mac}`, "algorithm_not_allowed");
    }
  });

  it("with an allowed algorithm the issuer's key is not for", async () => {
    // ES256 is allowed, but the key published under this kid is RSA: no published key matches.
    expect(as.publicJwk().kty).toBe("RSA");
    await refusedWith(await forge("ES256", as.kid), "unknown_key");
  });

  it("signed with an algorithm left out of the configured allow-list", async () => {
    await refusedWith(await as.token({ scopes: ["customers:read"] }), "algorithm_not_allowed", { algorithms: ["ES256"] });
  });

  it("that are not JWTs, or are too long", async () => {
    const good = await as.token();
    for (const token of ["", "abc", "a.b.c", `${good}.extra.parts`, good.replace(/\./g, ""), "x".repeat(20_000)]) {
      await refusedWith(token, "malformed");
    }
    // An encrypted token (JWE, five parts) is not an access token this resource reads.
    const jwe = [base64url({ alg: "dir", enc: "A256GCM" }), "", base64url("iv"), base64url("data"), base64url("tag")];
    await refusedWith(jwe.join("."), "malformed");
  });
});

describe("configuration", () => {
  it("refuses symmetric algorithms, none and unknown names", () => {
    for (const algorithm of ["HS256", "none", "RS1"]) {
      const options = { issuer: as.issuer, audience: as.resource, logger: logs.logger, algorithms: [algorithm] };
      expect(() => createTokenVerifier(options as unknown as TokenVerifierOptions)).toThrow(ConfigurationError);
    }
    expect(() => verifier({ algorithms: [] })).toThrow(ConfigurationError);
  });

  it("refuses an issuer or key set URL over plain http off loopback, and an empty audience", () => {
    expect(() => verifier({ issuer: "http://idp.example.com" })).toThrow(/must use https/);
    expect(() => verifier({ jwksUrl: "http://idp.example.com/keys" })).toThrow(/must use https/);
    expect(() => verifier({ issuer: "https://idp.example.com/?tenant=1" })).toThrow(/query/);
    expect(() => verifier({ issuer: "not a url" })).toThrow(/absolute URL/);
    expect(() => verifier({ audience: "" })).toThrow(/audience/);
    expect(() => verifier({ issuer: "https://idp.example.com", jwksUrl: "https://idp.example.com/keys" })).not.toThrow();
  });

  it("reads keys from a configured JWKS URL without discovery", async () => {
    const before = as.requests.length;
    const direct = verifier({ jwksUrl: as.jwksUrl });
    await expect(direct.verify(await as.token({ scopes: ["customers:read"] }))).resolves.toMatchObject({
      scopes: ["customers:read"],
    });
    const fetched = as.requests.slice(before).filter((path) => !path.endsWith("/token"));
    expect(fetched).toEqual(["/jwks"]);
  });
});
