// Wire snapshots: exactly what the built server sends in tools/list, one JSON file per tool in
// tests/__toolsnaps__/, so a change to a name, a description, a schema or an annotation shows in review as a diff
// of that tool's file. Run `npm run test:e2e -- -u` after a deliberate change, and review the diff.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allTools } from "../../src/tools/index.js";
import { initialize, spawnServer } from "../helpers/spawn.js";

describe("tools/list on the wire", () => {
  it("sends each tool exactly as its snapshot in tests/__toolsnaps__ says", async () => {
    // The admin profile lists every tool; a tool's entry does not depend on the profile that lists it.
    const server = spawnServer(["--sandbox"], { CUSTOMER_MCP_PROFILE: "admin" });
    try {
      await initialize(server);
      const response = (await server.request("tools/list")) as { result: { tools: Array<{ name: string }> } };
      const tools = response.result.tools;
      expect(tools.map((tool) => tool.name)).toEqual(allTools.map((tool) => tool.name));
      for (const tool of tools) {
        await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(`../__toolsnaps__/${tool.name}.json`);
      }
      // A removed or renamed tool leaves no orphan snapshot behind.
      const files = readdirSync("tests/__toolsnaps__").filter((file) => file.endsWith(".json"));
      expect(files.sort()).toEqual(tools.map((tool) => `${tool.name}.json`).sort());
    } finally {
      server.child.stdin.end();
      await server.exited;
    }
  });
});
