// Invariants over every registered tool. What each tool sends on the wire is snapshotted separately, one file per
// tool (tests/e2e/toolsnaps.test.ts).
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { grantOf, SCOPES, TOOLSETS } from "../../src/policy/access.js";
import { compileTool } from "../../src/mcp/catalog.js";
import { allTools } from "../../src/tools/index.js";

const MAX_DESCRIPTION = 1_024;

describe("tool registry", () => {
  it("has unique snake_case verb_noun names", () => {
    const names = allTools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(_[a-z]+)+$/);
  });

  it.each(allTools.map((tool) => [tool.name, tool] as const))("%s is fully described", (_name, tool) => {
    expect(tool.title.length).toBeGreaterThan(3);
    expect(tool.description.length).toBeGreaterThan(80);
    expect(tool.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    // Checked on the JSON schema clients receive, where wrappers such as .optional() keep the description.
    const { properties } = z.toJSONSchema(z.strictObject(tool.input), { io: "input" }) as {
      properties: Record<string, { description?: string }>;
    };
    for (const param of Object.keys(tool.input)) {
      expect(properties[param]?.description, `${tool.name}.${param} needs .describe()`).toBeTruthy();
    }
  });

  it.each(allTools.map((tool) => [tool.name, tool] as const))(
    "%s has coherent annotations",
    (_name, tool) => {
      const hints = tool.annotations;
      for (const key of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
        expect(typeof hints[key]).toBe("boolean");
      }
      expect(hints.readOnlyHint && hints.destructiveHint).toBe(false);
      if (hints.readOnlyHint) expect(hints.idempotentHint).toBe(true);
    },
  );

  it.each(allTools.map((tool) => [tool.name, tool] as const))("%s declares a toolset and coherent scopes", (_name, tool) => {
    expect(TOOLSETS).toContain(tool.access.toolset);
    expect(tool.access.scopes.length).toBeGreaterThan(0);
    for (const scope of tool.access.scopes) expect(SCOPES).toContain(scope);
    // A read-only tool never needs a write scope, and a write tool always does.
    const needsWrite = tool.access.scopes.some((scope) => !scope.endsWith(":read") && scope !== "customers:pii");
    expect(needsWrite).toBe(!tool.annotations.readOnlyHint);
  });

  it("gives the default readonly profile every read tool and no write tool", () => {
    const grant = grantOf({ profile: "readonly", readOnly: false });
    for (const tool of allTools) {
      const access = { name: tool.name, readOnly: tool.annotations.readOnlyHint, ...tool.access };
      expect(grant.refusal(access) === undefined, tool.name).toBe(tool.annotations.readOnlyHint);
    }
  });

  it.each(allTools.map((tool) => [tool.name, tool] as const))(
    "%s lists lean schemas: inline input, no pattern beside a format, no ±2^53 bounds, resolvable refs",
    (_name, tool) => {
      const { inputSchema, outputSchema } = compileTool(tool).listing;
      const input = schemaNodes(inputSchema);
      const output = schemaNodes(outputSchema);
      // Some clients strip $defs from input schemas, which would leave a model with dangling references.
      expect(input.filter((node) => "$ref" in node || "$defs" in node)).toEqual([]);
      expect([...input, ...output].filter((node) => "format" in node && "pattern" in node)).toEqual([]);
      const safe = [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
      expect(output.filter((node) => safe.includes(node.minimum as number) || safe.includes(node.maximum as number)))
        .toEqual([]);
      const defs = Object.keys((outputSchema?.$defs ?? {}) as object).map((name) => `#/$defs/${name}`);
      for (const node of output) if ("$ref" in node) expect(defs).toContain(node.$ref);
    },
  );

  // Each tool as it goes on the wire is snapshotted in tests/__toolsnaps__/ (tests/e2e/toolsnaps.test.ts).
});

/** Every object in a JSON Schema document, the document included. */
function schemaNodes(schema: unknown): Array<Record<string, unknown>> {
  if (typeof schema !== "object" || schema === null) return [];
  const children = Object.values(schema).flatMap(schemaNodes);
  return Array.isArray(schema) ? children : [schema as Record<string, unknown>, ...children];
}
