// The scope matrix: for every profile and every tool, through the real SDK client, whether the tool is listed
// and whether a call is allowed or refused. Plus the operator's narrowing filters and read-only mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.js";
import { grantOf, PROFILES, type Profile } from "../../src/policy/access.js";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5 });
});
afterAll(async () => {
  await sandbox.close();
});

async function visibleTools(access: Config["access"]): Promise<{ listed: string[]; refused: string[] }> {
  const connected = await connectInMemory(testContext(sandbox, { access }));
  try {
    const listed = (await connected.client.listTools()).tools.map((tool) => tool.name);
    const refused: string[] = [];
    for (const tool of allTools) {
      // Empty arguments: an allowed tool fails validation (or succeeds); a refused one is refused first.
      const result = await callTool(connected.client, tool.name, {});
      if (result.isError && errorOf(result).error_code === "permission_denied") refused.push(tool.name);
    }
    return { listed, refused };
  } finally {
    await connected.close();
  }
}

describe("scope matrix", () => {
  it.each(Object.keys(PROFILES) as Profile[])("profile %s lists exactly its tools and refuses the rest", async (profile) => {
    const grant = grantOf({ profile, readOnly: false });
    const allowed = (tool: (typeof allTools)[number]) =>
      grant.refusal({ name: tool.name, readOnly: tool.annotations.readOnlyHint, ...tool.access }) === undefined;
    const expected = allTools.filter(allowed).map((tool) => tool.name);
    const { listed, refused } = await visibleTools({ profile, readOnly: false });
    expect(listed).toEqual(expected);
    expect(refused.sort()).toEqual(allTools.map((tool) => tool.name).filter((name) => !expected.includes(name)).sort());
  });

  it("shows only read tools by default", async () => {
    const { listed } = await visibleTools({ profile: "readonly", readOnly: false });
    const reads = allTools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name);
    expect(listed).toEqual(reads);
  });

  it("lets read-only mode win over the admin profile", async () => {
    const { listed, refused } = await visibleTools({ profile: "admin", readOnly: true });
    expect(listed.every((name) => allTools.find((tool) => tool.name === name)?.annotations.readOnlyHint)).toBe(true);
    expect(refused).toContain("issue_refund");
  });

  it("narrows by toolset, tool list and exclusions, and says why a tool is refused", async () => {
    const { listed } = await visibleTools({
      profile: "admin",
      readOnly: false,
      toolsets: ["tickets", "customers"],
      excludeTools: ["update_customer_status"],
    });
    expect(listed).toContain("create_ticket");
    expect(listed).not.toContain("issue_refund");
    expect(listed).not.toContain("update_customer_status");
    const connected = await connectInMemory(
      testContext(sandbox, { access: { profile: "readonly", readOnly: false } }),
    );
    const refusal = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: "txn_abcdefgh12", reason: "duplicate" }),
    );
    expect(refusal.message).toBe("issue_refund is not enabled on this server: it needs the scope refunds:write.");
    expect(sandbox.store.created.refunds).toBe(0);
    await connected.close();
  });
});
