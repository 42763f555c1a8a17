// The scope matrix: for every profile and every tool, through the real SDK client, whether the tool is listed
// and whether a call is allowed or refused. Plus the operator's narrowing filters and read-only mode, and the
// same gating for resources, resource templates and prompts.
import { describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { type Config, parseCommand } from "../../src/config/config.js";
import { TOOL_NAMES } from "../../src/tools/index.js";
import { grantOf, PROFILES, type Profile } from "../../src/policy/access.js";
import { allPrompts } from "../../src/prompts/index.js";
import { staticResources, templateResources } from "../../src/resources/index.js";
import { allTools } from "../../src/tools/index.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

const env = useSandbox({ seed: 5 });

async function visibleTools(access: Config["access"]): Promise<{ listed: string[]; refused: string[] }> {
  const connected = await connectInMemory(testContext(env.sandbox, { access }));
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
      testContext(env.sandbox, { access: { profile: "readonly", readOnly: false } }),
    );
    const refusal = errorOf(
      await callTool(connected.client, "issue_refund", { transaction_id: "txn_abcdefgh12", reason: "duplicate" }),
    );
    expect(refusal.message).toBe("issue_refund is not enabled on this server: it needs the scope refunds:write.");
    expect(env.sandbox.store.created.refunds).toBe(0);
    await connected.close();
  });
});

describe("flags from a client's configuration against the operator's environment", () => {
  /** The access parseCommand derives from argv and env, as the server would run with it. */
  function accessOf(argv: string[], env: Record<string, string>): Config["access"] {
    const command = parseCommand(["--sandbox", ...argv], env, TOOL_NAMES);
    if (command.kind !== "serve") throw new Error("expected a serve configuration");
    return command.config.access;
  }

  it("--exclude-tools cannot re-enable issue_refund that CUSTOMER_MCP_EXCLUDE_TOOLS excluded: not listed, refused, nothing refunded", async () => {
    const access = accessOf(["--exclude-tools", "list_segments"], {
      CUSTOMER_MCP_PROFILE: "billing",
      CUSTOMER_MCP_EXCLUDE_TOOLS: "issue_refund",
    });
    // The client would confirm the refund: only the grant stands in the way.
    const connected = await connectInMemory(testContext(env.sandbox, { access }));
    try {
      const listed = (await connected.client.listTools()).tools.map((tool) => tool.name);
      expect(listed).not.toContain("issue_refund");
      expect(listed).not.toContain("list_segments");
      const charge = env.sandbox.store.transactions.find((txn) => txn.type === "charge" && txn.status === "succeeded" && !txn.refunded_amount);
      const before = env.sandbox.store.created.refunds;
      const refusal = errorOf(await callTool(connected.client, "issue_refund", { transaction_id: charge!.id, reason: "duplicate" }));
      expect(refusal.error_code).toBe("permission_denied");
      expect(refusal.message).toBe("issue_refund is not enabled on this server: it is excluded by configuration.");
      expect(env.sandbox.store.created.refunds).toBe(before);
    } finally {
      await connected.close();
    }
  });

  it("--profile admin under CUSTOMER_MCP_PROFILE=readonly lists only the read tools", async () => {
    const { listed, refused } = await visibleTools(accessOf(["--profile", "admin"], { CUSTOMER_MCP_PROFILE: "readonly" }));
    expect(listed).toEqual(allTools.filter((tool) => tool.annotations.readOnlyHint).map((tool) => tool.name));
    expect(refused).toContain("issue_refund");
  });
});

// Resources, templates and prompts: registered only when the grant holds every scope they need, so the rest are
// not listed, not readable (the SDK's not-found answer) and not completed.
async function visibleResources(access: Config["access"]) {
  const connected = await connectInMemory(testContext(env.sandbox, { access }));
  try {
    const capabilities = connected.client.getServerCapabilities() ?? {};
    const listed = capabilities.resources ? (await connected.client.listResources()).resources : [];
    const listedUris = listed.map((resource) => resource.uri);
    return {
      connected,
      statics: listedUris.filter((uri) => staticResources.some((resource) => resource.uri === uri)),
      /** Which families the first resources/list page enumerates, such as "customer://customers/". */
      families: [...new Set(listedUris.filter((uri) => !staticResources.some((r) => r.uri === uri)).map(familyOf))],
      templates: capabilities.resources
        ? (await connected.client.listResourceTemplates()).resourceTemplates.map((t) => t.name)
        : [],
      prompts: capabilities.prompts ? (await connected.client.listPrompts()).prompts.map((p) => p.name) : [],
    };
  } catch (error) {
    await connected.close();
    throw error;
  }
}

function familyOf(uri: string): string {
  return uri.slice(0, uri.lastIndexOf("/") + 1);
}

const granted = (scopes: ReadonlySet<string>, access: { scopes: readonly string[] }) =>
  access.scopes.every((scope) => scopes.has(scope));

describe("resource and prompt gating", () => {
  it.each(Object.keys(PROFILES) as Profile[])("profile %s lists exactly the resources and prompts its scopes cover", async (profile) => {
    const scopes = grantOf({ profile, readOnly: false }).scopes;
    const seen = await visibleResources({ profile, readOnly: false });
    try {
      expect(seen.statics).toEqual(staticResources.filter((r) => granted(scopes, r.access)).map((r) => r.uri));
      expect(seen.templates).toEqual(templateResources.filter((r) => granted(scopes, r.access)).map((r) => r.name));
      expect(seen.prompts).toEqual(allPrompts.filter((p) => granted(scopes, p.access)).map((p) => p.name));
    } finally {
      await seen.connected.close();
    }
  });

  it.each([
    ["readonly", ["customer://segments"], ["customer", "ticket"], ["account_review", "draft_ticket_reply"]],
    ["support", ["customer://segments"], ["customer", "ticket"], ["account_review", "draft_ticket_reply"]],
    ["billing", ["customer://segments"], ["customer", "ticket"], ["account_review", "draft_ticket_reply"]],
    ["admin", ["customer://segments"], ["customer", "ticket", "export"], ["account_review", "draft_ticket_reply"]],
  ] as const)("profile %s: resources %j, templates %j, prompts %j", async (profile, statics, templates, prompts) => {
    const seen = await visibleResources({ profile, readOnly: false });
    try {
      expect(seen.statics).toEqual(statics);
      expect(seen.templates).toEqual(templates);
      expect(seen.prompts).toEqual(prompts);
    } finally {
      await seen.connected.close();
    }
  });

  it("hides and refuses the export file outside exports:run, without asking the API", async () => {
    const seen = await visibleResources({ profile: "support", readOnly: false });
    try {
      env.sandbox.requests.clear();
      const read = seen.connected.client.readResource({ uri: "customer://exports/exp_a1b2c3d4e5" });
      await expect(read).rejects.toThrow(/not found/);
      expect(env.sandbox.requests.count({ path: "/v1/exports" })).toBe(0);
    } finally {
      await seen.connected.close();
    }
  });

  it("with tickets:read alone: only the ticket template, no listing of customers, no prompts, nothing else readable", async () => {
    const seen = await visibleResources({ profile: "readonly", scopes: ["tickets:read"], readOnly: false });
    const { client } = seen.connected;
    try {
      expect(seen.statics).toEqual([]);
      expect(seen.families).toEqual([]);
      expect(seen.templates).toEqual(["ticket"]);
      expect(client.getServerCapabilities()?.prompts).toBeUndefined();
      const ticketId = env.sandbox.store.fixtures.openTicketIds[0];
      const ticket = await client.readResource({ uri: `customer://tickets/${ticketId}` });
      expect(ticket.contents).toHaveLength(1);
      env.sandbox.requests.clear();
      const customerId = env.sandbox.store.fixtures.demoCustomerId;
      await expect(client.readResource({ uri: `customer://customers/${customerId}` })).rejects.toThrow(/not found/);
      await expect(client.readResource({ uri: "customer://segments" })).rejects.toThrow(/not found/);
      await expect(
        client.complete({
          ref: { type: "ref/resource", uri: "customer://customers/{customer_id}" },
          argument: { name: "customer_id", value: "Ada" },
        }),
      ).rejects.toThrow(/not found/);
      expect(env.sandbox.requests.count()).toBe(0);
    } finally {
      await seen.connected.close();
    }
  });

  it("with customers:read alone: segments and customer pages listed, no ticket template, no prompt", async () => {
    const seen = await visibleResources({ profile: "readonly", scopes: ["customers:read"], readOnly: false });
    try {
      expect(seen.statics).toEqual(["customer://segments"]);
      expect(seen.families).toEqual(["customer://customers/"]);
      expect(seen.templates).toEqual(["customer"]);
      expect(seen.prompts).toEqual([]);
      await expect(seen.connected.client.getPrompt({ name: "draft_ticket_reply", arguments: {} })).rejects.toThrow(
        /not found|does not support/,
      );
    } finally {
      await seen.connected.close();
    }
  });

  it("offers draft_ticket_reply with tickets:read and customers:read, and account_review only with billing:read too", async () => {
    const partial = await visibleResources({ profile: "readonly", scopes: ["tickets:read", "customers:read"], readOnly: false });
    const full = await visibleResources({
      profile: "readonly",
      scopes: ["tickets:read", "customers:read", "billing:read"],
      readOnly: false,
    });
    try {
      expect(partial.prompts).toEqual(["draft_ticket_reply"]);
      await expect(
        partial.connected.client.getPrompt({
          name: "account_review",
          arguments: { customer_id: env.sandbox.store.fixtures.demoCustomerId },
        }),
      ).rejects.toThrow(/Prompt account_review not found/);
      expect(full.prompts).toEqual(["account_review", "draft_ticket_reply"]);
    } finally {
      await partial.connected.close();
      await full.connected.close();
    }
  });

  it("offers no resources capability at all when no resource is granted", async () => {
    const seen = await visibleResources({ profile: "readonly", scopes: ["customers:write"], readOnly: false });
    try {
      expect(seen.connected.client.getServerCapabilities()?.resources).toBeUndefined();
      expect(seen.templates).toEqual([]);
      expect(seen.prompts).toEqual([]);
    } finally {
      await seen.connected.close();
    }
  });
});
