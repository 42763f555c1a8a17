// Identity decides the grant: a real token from the authorization server, verified, its scopes mapped and narrowed
// by the operator's ceiling, becomes the principal of a real server session over the sandbox. PII is shown to a
// token with customers:pii and masked for one without; a token never lifts the operator's ceiling.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessForToken, grantedScopes } from "../../src/auth/scopes.js";
import { createTokenVerifier } from "../../src/auth/verifier.js";
import type { Config } from "../../src/config/config.js";
import type { Principal } from "../../src/pipeline/principal.js";
import { createPolicy } from "../../src/policy/index.js";
import { useSandbox } from "../helpers/fixture.js";
import { captureLogs } from "../helpers/logs.js";
import { callTool } from "../helpers/mcp.js";
import { type AuthServer, startAuthServer } from "../helpers/oauth.js";

const PREFIX = "customer-mcp/";
const env = useSandbox({ seed: 21 });
let as: AuthServer;

beforeAll(async () => {
  as = await startAuthServer({ scopes: ["customers:read", "customers:pii", "refunds:write"].map((scope) => PREFIX + scope) });
});
afterAll(async () => {
  await as.close();
});

/** What the HTTP transport will do per request: token → verified caller → principal under the ceiling. */
async function principalFor(scopes: string[], ceiling: Config["access"]): Promise<Principal> {
  const verifier = createTokenVerifier({ issuer: as.issuer, audience: as.resource, logger: captureLogs().logger });
  const verified = await verifier.verify(await as.token({ scopes: scopes.map((scope) => PREFIX + scope) }));
  const access = accessForToken(ceiling, grantedScopes(verified.scopes, PREFIX));
  return { subject: verified.subject, client: null, policy: createPolicy(access), window: "test-day" };
}

async function customerSeenWith(principal: Principal): Promise<string> {
  const connected = await env.connect({}, { principal });
  const result = await callTool(connected.client, "get_customer", { customer_id: env.sandbox.store.fixtures.demoCustomerId });
  expect(result.isError).toBeFalsy();
  return JSON.stringify(result.structuredContent);
}

describe("PII by scope", () => {
  const support: Config["access"] = { profile: "support", readOnly: false };

  it("shows the customer's email to a token with customers:pii", async () => {
    const seen = await customerSeenWith(await principalFor(["customers:read", "customers:pii"], support));
    expect(seen).toContain(env.sandbox.store.customers[0]?.email);
  });

  it("masks it for a token without customers:pii, under the same operator settings", async () => {
    const seen = await customerSeenWith(await principalFor(["customers:read"], support));
    expect(seen).not.toContain(env.sandbox.store.customers[0]?.email);
    expect(seen).toMatch(/[a-z]\*\*\*@example\./);
  });

  it("masks it when the operator's ceiling (readonly) holds no customers:pii, whatever the token says", async () => {
    const principal = await principalFor(["customers:read", "customers:pii"], { profile: "readonly", readOnly: false });
    expect(principal.policy.canSeePii).toBe(false);
    expect(await customerSeenWith(principal)).not.toContain(env.sandbox.store.customers[0]?.email);
  });
});

describe("tools by scope", () => {
  it("lists a write only when both the token and the ceiling allow it", async () => {
    const listed = async (principal: Principal) => {
      const connected = await env.connect({}, { principal });
      return (await connected.client.listTools()).tools.map((tool) => tool.name);
    };
    const billing: Config["access"] = { profile: "billing", readOnly: false };
    expect(await listed(await principalFor(["customers:read", "refunds:write"], billing))).toContain("issue_refund");
    expect(await listed(await principalFor(["customers:read"], billing))).not.toContain("issue_refund");
    const support: Config["access"] = { profile: "support", readOnly: false };
    expect(await listed(await principalFor(["customers:read", "refunds:write"], support))).not.toContain("issue_refund");
  });
});
