// Health and authentication: static key, OAuth client credentials, expiry by the injected clock, revocation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_CLIENT_ID, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { call, type ErrorBody, manualClock } from "./helpers.js";

const clock = manualClock();
let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox({
    clock: clock.now,
    tokenTtlSeconds: 60,
    counts: { customers: 50, transactions: 100, tickets: 20 },
  });
});
afterAll(() => sb.close());

interface TokenBody {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

async function grant(form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${sb.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const credentials = () => ({
  grant_type: "client_credentials",
  client_id: SANDBOX_CLIENT_ID,
  client_secret: sb.clientSecret,
});

/** The key and client secret every sandbox had before they became random: published in the docs, so known to all. */
const PUBLISHED_KEY = "sk_sandbox_customer_mcp_0001";
const PUBLISHED_SECRET = "sandbox-secret";

describe("GET /health", () => {
  it("answers ok without authentication", async () => {
    const res = await call(sb, "/health", { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });
});

describe("static API key", () => {
  it("makes up a new random key and client secret for every sandbox", async () => {
    const other = await startSandbox({ counts: { customers: 3 } });
    try {
      for (const box of [sb, other]) {
        expect(box.apiKey).toMatch(/^sk_sandbox_[A-Za-z0-9_-]{32}$/);
        expect(box.clientSecret).toMatch(/^sbx_secret_[A-Za-z0-9_-]{32}$/);
      }
      expect(other.apiKey).not.toBe(sb.apiKey);
      expect(other.clientSecret).not.toBe(sb.clientSecret);
      expect((await call(other, "/v1/segments", { token: sb.apiKey })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("refuses the once-published key and client secret: another local process cannot read, write or inject faults", async () => {
    expect((await call(sb, "/v1/segments", { token: PUBLISHED_KEY })).status).toBe(401);
    expect((await call(sb, "/_sandbox/faults", { token: PUBLISHED_KEY })).status).toBe(401);
    const faulted = await call(sb, "/_sandbox/faults", {
      method: "POST",
      token: PUBLISHED_KEY,
      body: { kind: "status", status: 503 },
    });
    expect(faulted.status).toBe(401);
    expect(sb.faults.list()).toEqual([]);
    const token = await grant({ ...credentials(), client_secret: PUBLISHED_SECRET });
    expect(token.status).toBe(401);
  });

  it("accepts the key as a bearer token", async () => {
    expect((await call(sb, "/v1/segments")).status).toBe(200);
  });

  it.each([
    ["no Authorization header", null],
    ["a wrong key", "sk_wrong_key_000000"],
  ])("answers 401 authentication_failed with %s", async (_label, token) => {
    const res = await call<ErrorBody>(sb, "/v1/segments", { token });
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe("authentication_failed");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("checks authentication before revealing whether a /v1 route exists", async () => {
    const res = await call<ErrorBody>(sb, "/v1/nothing-here", { token: null });
    expect(res.status).toBe(401);
  });

  it("honours a custom apiKey option", async () => {
    const other = await startSandbox({ apiKey: "sk_custom_key_1234", counts: { customers: 3 } });
    try {
      expect((await call(other, "/v1/segments")).status).toBe(200);
      expect((await call(other, "/v1/segments", { token: sb.apiKey })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe("POST /oauth/token", () => {
  it("grants a bearer token for valid client credentials", async () => {
    const res = await grant({ ...credentials(), scope: "customers:read" });
    expect(res.status).toBe(200);
    const body = res.body as unknown as TokenBody;
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(60);
    expect(body.scope).toBe("customers:read");
    expect((await call(sb, "/v1/segments", { token: body.access_token })).status).toBe(200);
  });

  it("accepts client credentials sent with HTTP Basic", async () => {
    const basic = Buffer.from(`${SANDBOX_CLIENT_ID}:${sb.clientSecret}`).toString("base64");
    const res = await grant({ grant_type: "client_credentials" }, { Authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
  });

  it("answers 401 invalid_client for a wrong secret", async () => {
    const res = await grant({ ...credentials(), client_secret: "nope" });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("invalid_client");
  });

  it("answers 400 unsupported_grant_type for another grant", async () => {
    const res = await grant({ ...credentials(), grant_type: "password" });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("unsupported_grant_type");
  });

  it("answers 400 invalid_request when grant_type is missing", async () => {
    const res = await grant({ client_id: SANDBOX_CLIENT_ID, client_secret: sb.clientSecret });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
  });

  it("rejects a token once the injected clock passes its expiry", async () => {
    const token = ((await grant(credentials())).body as unknown as TokenBody).access_token;
    clock.advance(59_000);
    expect((await call(sb, "/v1/segments", { token })).status).toBe(200);
    clock.advance(1_000);
    const res = await call<ErrorBody>(sb, "/v1/segments", { token });
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe("authentication_failed");
  });

  it("rejects every issued token after revokeTokens(), while the API key keeps working", async () => {
    const token = ((await grant(credentials())).body as unknown as TokenBody).access_token;
    expect((await call(sb, "/v1/segments", { token })).status).toBe(200);
    sb.revokeTokens();
    expect((await call(sb, "/v1/segments", { token })).status).toBe(401);
    expect((await call(sb, "/v1/segments")).status).toBe(200);
  });

  it("can be faulted like any API route, so token refresh failures can be tested", async () => {
    sb.faults.add({ kind: "status", status: 503, path: "/oauth/token", times: 1 });
    expect((await grant(credentials())).status).toBe(503);
    expect((await grant(credentials())).status).toBe(200);
  });

  it("does not accept an OAuth token on the admin routes", async () => {
    const token = ((await grant(credentials())).body as unknown as TokenBody).access_token;
    expect((await call(sb, "/_sandbox/faults", { token })).status).toBe(401);
  });
});
