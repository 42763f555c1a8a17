// The access model on its own: profiles, explicit scopes, toolsets, tool lists and read-only mode.
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../src/errors.js";
import { grantOf, PROFILES, parseNameList, SCOPES, type ToolAccess, TOOLSETS } from "../../src/policy/access.js";

const refund: ToolAccess = { name: "issue_refund", toolset: "billing", scopes: ["refunds:write"], readOnly: false };
const search: ToolAccess = { name: "search_customers", toolset: "customers", scopes: ["customers:read"], readOnly: true };

describe("grantOf", () => {
  it("gives the readonly profile read scopes only, without PII", () => {
    const grant = grantOf({ profile: "readonly", readOnly: false });
    expect([...grant.scopes].every((scope) => scope.endsWith(":read"))).toBe(true);
    expect(grant.has("customers:pii")).toBe(false);
    expect(grant.refusal(search)).toBeUndefined();
    expect(grant.refusal(refund)).toBe("it needs the scope refunds:write");
  });

  it("lets explicit scopes replace the profile", () => {
    const grant = grantOf({ profile: "admin", scopes: ["customers:read"], readOnly: false });
    expect(grant.refusal(refund)).toMatch(/refunds:write/);
    expect(grant.refusal(search)).toBeUndefined();
  });

  it("narrows by toolset, tool list and exclusions, and read-only wins over everything", () => {
    expect(grantOf({ profile: "admin", toolsets: ["customers"], readOnly: false }).refusal(refund)).toMatch(/toolset billing/);
    expect(grantOf({ profile: "admin", tools: ["search_customers"], readOnly: false }).refusal(refund)).toMatch(/tool list/);
    expect(grantOf({ profile: "admin", excludeTools: ["issue_refund"], readOnly: false }).refusal(refund)).toMatch(/excluded/);
    expect(grantOf({ profile: "admin", readOnly: true }).refusal(refund)).toMatch(/read-only/);
    expect(grantOf({ profile: "admin", readOnly: true }).refusal(search)).toBeUndefined();
  });

  it("has an admin profile with every scope", () => {
    expect([...PROFILES.admin].sort()).toEqual([...SCOPES].sort());
  });
});

describe("parseNameList", () => {
  it("reads a comma-separated list and ignores blanks", () => {
    expect(parseNameList(" customers, tickets ,", TOOLSETS, "toolset", "CUSTOMER_MCP_TOOLSETS")).toEqual([
      "customers",
      "tickets",
    ]);
    expect(parseNameList("", TOOLSETS, "toolset", "CUSTOMER_MCP_TOOLSETS")).toBeUndefined();
  });

  // The unknown name is given by position, never repeated: it could be a secret pasted into the wrong variable.
  it("stops startup on an unknown name, saying where it is and listing the known ones", () => {
    try {
      parseNameList("customers,marketing", TOOLSETS, "toolset", "CUSTOMER_MCP_TOOLSETS");
      throw new Error("expected a configuration error");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).problems[0]).toBe(
        "CUSTOMER_MCP_TOOLSETS: entry 2 is not a known toolset (of 2 given); known toolsets are customers, tickets, billing, exports.",
      );
    }
  });
});
