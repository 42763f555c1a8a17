// customer-mcp http as an OAuth 2.1 resource server, against a real authorization server on loopback
// (oidc-provider, tests/helpers/oauth.ts): the 401 challenge and RFC 9728 metadata, every kind of bad token,
// the grant from the token's scopes within the operator's ceiling (PII by scope, 403 insufficient_scope), what
// the audit trail and the customer API see, and an issuer that is down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT, generateKeyPair } from "jose";
import { useSandbox } from "../helpers/fixture.js";
import { post, rpc, startTestHttp, type TestHttpService } from "../helpers/http.js";
import { type AuthServer, startAuthServer } from "../helpers/oauth.js";

const RESOURCE = "https://customer-mcp.test/mcp";
const METADATA = "https://customer-mcp.test/.well-known/oauth-protected-resource/mcp";

const env = useSandbox({ seed: 42 });
let as: AuthServer;
let http: TestHttpService;

beforeAll(async () => {
  as = await startAuthServer({ resource: RESOURCE });
  http = await startTestHttp(env.sandbox, {
    env: { CUSTOMER_MCP_OAUTH_ISSUER: as.issuer, CUSTOMER_MCP_PUBLIC_URL: RESOURCE, CUSTOMER_MCP_PROFILE: "admin" },
  });
});
afterAll(async () => {
  await http.close();
  await as.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const asUser = (sub: string, scope: string) => as.sign({ sub, scope });
const demoId = () => env.sandbox.store.fixtures.demoCustomerId;

async function getCustomer(token: string) {
  const answer = await post(http.endpoint, rpc(1, "tools/call", { name: "get_customer", arguments: { customer_id: demoId() } }), bearer(token));
  return answer;
}

describe("without a valid token", () => {
  it("answers 401 with the challenge that names the protected-resource metadata", async () => {
    const answer = await post(http.endpoint, rpc(1, "tools/list"));
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${METADATA}"`);
    expect(answer.json).toMatchObject({ error: "missing_token" });
  });

  it("serves RFC 9728 metadata naming the issuer and the scopes, at both well-known paths", async () => {
    const origin = new URL(http.endpoint).origin;
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        resource: RESOURCE,
        authorization_servers: [as.issuer],
        scopes_supported: expect.arrayContaining(["customers:read", "customers:pii", "exports:run"]),
        bearer_methods_supported: ["header"],
      });
    }
    // The admin profile grants refunds:write, but only issue_refund needs it, which HTTP cannot offer yet.
    const listed = await (await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`)).json() as { scopes_supported: string[] };
    expect(listed.scopes_supported).not.toContain("refunds:write");
  });

  it("lets any web page read the metadata (public, no credentials), preflight included", async () => {
    const url = `${new URL(http.endpoint).origin}/.well-known/oauth-protected-resource/mcp`;
    const read = await fetch(url, { headers: { Origin: "https://inspector.example.com" } });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
    const preflight = await fetch(url, {
      method: "OPTIONS",
      headers: { Origin: "https://inspector.example.com", "Access-Control-Request-Method": "GET" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/MCP-Protocol-Version/i);
  });

  it.each([
    ["expired", () => as.sign({ sub: "alice", scope: "customers:read", exp: Math.floor(Date.now() / 1000) - 3_600 }), /expired/],
    ["for another resource", () => as.sign({ sub: "alice", scope: "customers:read", aud: "https://other.test/mcp" }), /another resource/],
    ["from another issuer", () => as.sign({ sub: "alice", scope: "customers:read", iss: "https://evil.test" }), /does not trust/],
    ["without a subject", () => as.sign({ sub: undefined, scope: "customers:read" }), /lacks a required claim/],
    ["signed by an unknown key", async () => {
      const { privateKey } = await generateKeyPair("ES256");
      return new SignJWT({ sub: "alice", scope: "customers:read", aud: RESOURCE, iss: as.issuer })
        .setProtectedHeader({ alg: "ES256", kid: "not-published" })
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey);
    }, /key the authorization server does not publish/],
    ["unsigned (alg none)", async () => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      return `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: "alice", aud: RESOURCE, iss: as.issuer, exp: now + 300 })}.`;
    }, /algorithm this resource does not accept|not a well-formed JWT/],
  ])("refuses a token %s with 401 invalid_token and why, never running the call", async (_case, make, why) => {
    const before = http.records.length;
    const answer = await getCustomer(await make());
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(new RegExp(`^Bearer resource_metadata="${METADATA}", error="invalid_token", error_description="`));
    expect((answer.json as { error_description: string }).error_description).toMatch(why);
    expect(http.records.length).toBe(before);
  });

  it("refuses a token in the URL with 400, even beside a good header", async () => {
    const token = await asUser("alice", "customers:read");
    const answer = await post(`${http.endpoint}?access_token=${token}`, rpc(1, "tools/list"), bearer(token));
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: "invalid_request" });
    expect(http.logs.text()).not.toContain(token);
  });
});

describe("a valid token", () => {
  it("is served with a real client-credentials token from the authorization server", async () => {
    const token = await as.token({ scopes: ["customers:read"] });
    const answer = await getCustomer(token);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ result: { structuredContent: { customer: { id: demoId() } } } });
  });

  it("lists only what its scopes grant within the operator's ceiling", async () => {
    const list = async (scope: string) => {
      const answer = await post(http.endpoint, rpc(1, "tools/list"), bearer(await asUser("alice", scope)));
      return toolNames(answer.json);
    };
    const reader = await list("customers:read");
    expect(reader).toContain("get_customer");
    expect(reader).not.toContain("create_ticket");
    expect(reader).not.toContain("list_transactions");
    expect(await list("customers:read tickets:read tickets:write")).toContain("create_ticket");
    // A scope this server does not know grants nothing, and no scope at all lists nothing.
    expect(await list("openid profile")).toEqual([]);
  });

  it("unmasks PII only for a token with customers:pii", async () => {
    const email = env.sandbox.store.customersById.get(demoId())?.email;
    const emailFor = async (scope: string) =>
      ((await getCustomer(await asUser("alice", scope))).json as { result: { structuredContent: { customer: { email: string } } } })
        .result.structuredContent.customer.email;
    expect(await emailFor("customers:read customers:pii")).toBe(email);
    expect(await emailFor("customers:read")).toMatch(/^.\*\*\*@/);
  });

  it("answers 403 insufficient_scope with the scope to ask for, for a tool the ceiling grants but the token does not", async () => {
    const token = await asUser("alice", "customers:read");
    const answer = await post(http.endpoint, rpc(1, "tools/call", {
      name: "create_ticket",
      arguments: { customer_id: demoId(), subject: "x", description: "y" },
    }), bearer(token));
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toMatch(/error="insufficient_scope".*scope="tickets:write"/);
    expect(env.sandbox.store.created.tickets).toBe(0);
  });

  it("records the subject, client id, token id and replica, and names the subject upstream, never with its token", async () => {
    const token = await as.sign({ sub: "alice@example.com", scope: "customers:read", client_id: "support-desk", jti: "tok-123" });
    const before = http.records.length;
    const requests = env.sandbox.requests.all().length;
    expect((await getCustomer(token)).status).toBe(200);
    expect(http.records.slice(before)).toEqual([expect.objectContaining({
      principal: { subject: "alice@example.com", client: null, client_id: "support-desk", token_id: "tok-123" },
      replica: http.settings.replicaId,
      outcome: "ok",
    })]);
    const upstream = env.sandbox.requests.all().slice(requests);
    expect(upstream.map((entry) => entry.onBehalfOf)).toEqual(["alice@example.com"]);
    expect(http.logs.text()).not.toContain(token);
  });
});

describe("a narrower ceiling", () => {
  it("never grants what the operator does not, whatever the token says", async () => {
    const narrow = await startTestHttp(env.sandbox, {
      env: { CUSTOMER_MCP_OAUTH_ISSUER: as.issuer, CUSTOMER_MCP_PUBLIC_URL: RESOURCE },
    });
    try {
      const token = await asUser("alice", "customers:read customers:pii tickets:read tickets:write");
      const answer = await post(narrow.endpoint, rpc(1, "tools/list"), bearer(token));
      expect(toolNames(answer.json)).not.toContain("create_ticket");
      const metadata = await (await fetch(`${new URL(narrow.endpoint).origin}/.well-known/oauth-protected-resource`)).json();
      expect((metadata as { scopes_supported: string[] }).scopes_supported).toEqual(["customers:read", "tickets:read", "billing:read"]);
    } finally {
      await narrow.close();
    }
  });
});

describe("an issuer that is down", () => {
  it("answers 503 (retry later, not sign in again) and reports the service unready", async () => {
    const down = await startAuthServer({ resource: RESOURCE });
    const own = await startTestHttp(env.sandbox, {
      env: { CUSTOMER_MCP_OAUTH_ISSUER: down.issuer, CUSTOMER_MCP_PUBLIC_URL: RESOURCE },
    });
    try {
      const token = await down.sign({ sub: "alice", scope: "customers:read" });
      down.setOutage(true);
      const answer = await getCustomerFrom(own, token);
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("5");
      const ready = await fetch(`${new URL(own.endpoint).origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: "unready", checks: { tokens: "failing" } });
    } finally {
      await own.close();
      await down.close();
    }
  });
});

function toolNames(listing: unknown): string[] {
  return (listing as { result: { tools: Array<{ name: string }> } }).result.tools.map((tool) => tool.name);
}

function getCustomerFrom(service: TestHttpService, token: string) {
  return post(service.endpoint, rpc(1, "tools/call", { name: "get_customer", arguments: { customer_id: demoId() } }), bearer(token));
}

describe("behind a reverse proxy", () => {
  // Only with tokens: CUSTOMER_MCP_HTTP_AUTH=none refuses CUSTOMER_MCP_TRUST_PROXY (tests/config/http.test.ts).
  it("believes X-Forwarded-Host and -For only when told it runs behind one", async () => {
    const token = await asUser("alice", "customers:read");
    const forwarded = { ...bearer(token), "X-Forwarded-Host": "attacker.example.com", "X-Forwarded-For": "203.0.113.7" };
    const trusting = await startTestHttp(env.sandbox, {
      env: { CUSTOMER_MCP_OAUTH_ISSUER: as.issuer, CUSTOMER_MCP_PUBLIC_URL: RESOURCE, CUSTOMER_MCP_TRUST_PROXY: "true" },
    });
    try {
      // Behind a trusted proxy, the host the client asked for is the forwarded one: not ours, so refused.
      expect((await post(trusting.endpoint, rpc(1, "ping"), forwarded)).status).toBe(403);
      const ok = await post(trusting.endpoint, rpc(1, "ping"), {
        ...bearer(token),
        "X-Forwarded-Host": "customer-mcp.test",
        "X-Forwarded-For": "198.51.100.1, 203.0.113.7",
        "X-Request-Id": "fwd-1",
      });
      expect(ok.status).toBe(200);
      expect(trusting.logs.lines().find((line) => line.request_id === "fwd-1")).toMatchObject({ remote: "203.0.113.7" });
      // Without that setting the headers are anyone's to send, and are ignored.
      const ignored = await post(http.endpoint, rpc(1, "ping"), { ...forwarded, "X-Request-Id": "fwd-2" });
      expect(ignored.status).toBe(200);
      expect(http.logs.lines().find((line) => line.request_id === "fwd-2")).toMatchObject({ remote: "127.0.0.1" });
    } finally {
      await trusting.close();
    }
  });
});
