// The response budget and the cursor that resumes a page cut short, through search_customers over the real
// SDK client and sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { testContext } from "../helpers/context.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

interface SearchPage {
  customers: Array<{ id: string }>;
  next_cursor: string | null;
  truncated?: boolean;
  hint?: string;
}

let tight: Connected;
let roomy: Connected;

const env = useSandbox({ seed: 42 });
beforeAll(async () => {
  // 1,000 tokens ≈ 4,000 characters: room for about ten customer summaries once the envelope is reserved.
  tight = await connectInMemory(testContext(env.sandbox, { maxResultTokens: 1_000 }));
  roomy = await connectInMemory(testContext(env.sandbox));
});
afterAll(async () => {
  await tight.close();
  await roomy.close();
});

async function search(connected: Connected, args: Record<string, unknown>): Promise<SearchPage> {
  const result = await callTool(connected.client, "search_customers", args);
  expect(result.isError).toBeFalsy();
  return result.structuredContent as unknown as SearchPage;
}

describe("response budget", () => {
  it("cuts a page at a whole item, says so, and keeps the result under the budget", async () => {
    const result = await callTool(tight.client, "search_customers", { limit: 100 });
    const page = result.structuredContent as unknown as SearchPage;
    expect(page.truncated).toBe(true);
    expect(page.hint).toMatch(/narrow|filter/i);
    expect(page.customers.length).toBeGreaterThan(0);
    expect(page.customers.length).toBeLessThan(100);
    const text = result.content[0]?.type === "text" ? result.content[0].text : "";
    expect(text.length).toBeLessThanOrEqual(1_000 * 4);
  });

  it("resumes a cut page exactly where it stopped: every customer once, in order", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let truncatedPages = 0;
    for (let pages = 0; pages < 200; pages++) {
      const page = await search(tight, { limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...page.customers.map((customer) => customer.id));
      if (page.truncated) truncatedPages++;
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(truncatedPages).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(env.sandbox.store.customers.length);
    const everyone: string[] = [];
    cursor = undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await search(roomy, { limit: 100, ...(cursor ? { cursor } : {}) });
      expect(page.truncated).toBeUndefined();
      everyone.push(...page.customers.map((customer) => customer.id));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(everyone);
  });

  it("rejects a cursor it did not issue", async () => {
    const error = errorOf(await callTool(roomy.client, "search_customers", { cursor: "not-a-cursor" }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(JSON.stringify(error.issues)).toContain("cursor");
  });
});
