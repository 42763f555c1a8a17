// Invariants over every registered tool, plus one JSON-schema snapshot per tool so any schema change shows up
// in review as a snapshot diff.
import { describe, expect, it } from "vitest";
import { z } from "zod";
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

  it.each(allTools.map((tool) => [tool.name, tool] as const))("%s keeps its schemas", (_name, tool) => {
    expect({
      input: z.toJSONSchema(z.strictObject(tool.input), { io: "input" }),
      output: z.toJSONSchema(z.object(tool.output), { io: "output" }),
    }).toMatchSnapshot();
  });
});
