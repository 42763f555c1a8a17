// Scope names in a token → this server's scopes, and the ceiling the operator sets over them.
import { describe, expect, it } from "vitest";
import { accessForToken, grantedScopes, prefixedScope } from "../../src/auth/scopes.js";
import { grantOf, SCOPES } from "../../src/policy/access.js";

describe("grantedScopes", () => {
  it("keeps the known scopes, each once, in the order of SCOPES", () => {
    expect(grantedScopes(["tickets:read", "customers:read", "tickets:read"])).toEqual(["customers:read", "tickets:read"]);
  });

  it("ignores names it does not know, including near misses and other APIs' scopes", () => {
    expect(grantedScopes(["calendar:read", "customers:READ", "customers:read ", "customers", "openid", ""])).toEqual([]);
  });

  it("with a prefix, counts only names that carry it", () => {
    const prefix = "api://customer-mcp/";
    expect(grantedScopes([`${prefix}customers:read`, "customers:pii", `${prefix}refunds:write`], prefix)).toEqual([
      "customers:read",
      "refunds:write",
    ]);
    expect(grantedScopes([`${prefix}calendar:read`, prefix], prefix)).toEqual([]);
  });

  it("round-trips with prefixedScope for every scope", () => {
    const prefix = "customer-mcp.";
    const named = SCOPES.map((scope) => prefixedScope(scope, prefix));
    expect(named[0]).toBe("customer-mcp.customers:read");
    expect(grantedScopes(named, prefix)).toEqual([...SCOPES]);
    expect(prefixedScope("tickets:write")).toBe("tickets:write");
  });
});

describe("accessForToken", () => {
  it("narrows the operator's profile to what the token grants, keeping the other settings", () => {
    const ceiling = { profile: "support" as const, readOnly: false, toolsets: ["customers" as const] };
    const access = accessForToken(ceiling, ["customers:read", "customers:pii", "refunds:write"]);
    expect(access).toEqual({ ...ceiling, scopes: ["customers:read", "customers:pii"] });
    expect(grantOf(access).has("refunds:write")).toBe(false);
  });

  it("never grants more than explicit operator scopes, and nothing for a token without scopes", () => {
    const ceiling = { profile: "admin" as const, readOnly: true, scopes: ["customers:read" as const] };
    expect(accessForToken(ceiling, [...SCOPES]).scopes).toEqual(["customers:read"]);
    const none = accessForToken({ profile: "admin", readOnly: false }, []);
    expect(none.scopes).toEqual([]);
    expect(grantOf(none).scopes.size).toBe(0);
  });
});
