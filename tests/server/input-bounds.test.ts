// Registry-wide input bounds, read from what clients actually see (tools/list with every tool granted): every
// string is bounded in length (maxLength, an enum, or an anchored pattern without unbounded repetition), every
// number has a minimum and a maximum, every object is closed and every array capped. Prompt arguments too.
import { beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { z } from "zod";
import { allPrompts } from "../../src/prompts/index.js";
import { allTools } from "../../src/tools/index.js";
import { testContext } from "../helpers/context.js";
import { connectInMemory } from "../helpers/mcp.js";

type JsonSchema = Record<string, unknown>;

/** A pattern bounds length when it is anchored at both ends and every repetition has an upper bound. */
function isBoundedPattern(pattern: string): boolean {
  if (!pattern.startsWith("^") || !pattern.endsWith("$")) return false;
  // Drop escaped characters and character classes, whose `*` and `+` are literals, then look for repetition.
  const stripped = pattern.replace(/\\./g, "").replace(/\[[^\]]*\]/g, "");
  return !/[*+]|\{\d+,\}/.test(stripped);
}

/** Every problem in a JSON Schema, as "path: what is missing". */
function unboundedParts(schema: JsonSchema, path: string): string[] {
  const problems: string[] = [];
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const variants = schema[key];
    if (Array.isArray(variants)) {
      variants.forEach((variant, i) => problems.push(...unboundedParts(variant as JsonSchema, `${path}/${key}/${i}`)));
    }
  }
  const type = schema.type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes("string") && schema.enum === undefined && schema.const === undefined) {
    const pattern = typeof schema.pattern === "string" ? schema.pattern : undefined;
    if (typeof schema.maxLength !== "number" && !(pattern && isBoundedPattern(pattern))) {
      problems.push(`${path}: string without maxLength, enum or bounded pattern`);
    }
  }
  if (types.includes("number") || types.includes("integer")) {
    if (typeof schema.minimum !== "number" && typeof schema.exclusiveMinimum !== "number") {
      problems.push(`${path}: number without a minimum`);
    }
    if (typeof schema.maximum !== "number" && typeof schema.exclusiveMaximum !== "number") {
      problems.push(`${path}: number without a maximum`);
    }
  }
  if (types.includes("object")) {
    if (schema.additionalProperties !== false) problems.push(`${path}: object that accepts unknown properties`);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
      problems.push(...unboundedParts(property, `${path}/${name}`));
    }
  }
  if (types.includes("array")) {
    if (typeof schema.maxItems !== "number") problems.push(`${path}: array without maxItems`);
    if (schema.items) problems.push(...unboundedParts(schema.items as JsonSchema, `${path}/items`));
  }
  return problems;
}

let listed: Array<{ name: string; inputSchema: JsonSchema }>;
const env = useSandbox({ seed: 7, counts: { customers: 5, transactions: 10, tickets: 5 } });
beforeAll(async () => {
  const connected = await connectInMemory(testContext(env.sandbox, { access: { profile: "admin", readOnly: false } }));
  try {
    listed = (await connected.client.listTools()).tools as typeof listed;
  } finally {
    await connected.close();
  }
});

describe("input bounds", () => {
  it("lists every tool to an admin", () => {
    expect(listed.map((tool) => tool.name).sort()).toEqual(allTools.map((tool) => tool.name).sort());
  });

  it.each(allTools.map((tool) => tool.name))("%s bounds every string and number it takes", (name) => {
    const tool = listed.find((candidate) => candidate.name === name);
    expect(tool).toBeDefined();
    expect(unboundedParts(tool?.inputSchema ?? {}, name)).toEqual([]);
  });

  it.each(allPrompts.flatMap((prompt) => Object.entries(prompt.args).map(([arg, { schema }]) => [
    `${prompt.name}.${arg}`,
    schema,
  ] as const)))("prompt argument %s is bounded", (name, schema) => {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
    expect(unboundedParts(json, name)).toEqual([]);
  });

  it.each([
    ["^cus_[A-Za-z0-9]{8,24}$", true],
    ["^[\\x21-\\x7e]{8,128}$", true],
    ["^a+$", false],
    ["^a*$", false],
    ["^a{2,}$", false],
    ["cus_[a-z]{8}", false],
    ["^[+*]{1,3}$", true],
    ["^\\+\\d{1,3}$", true],
  ])("treats the pattern %s as bounded: %s", (pattern, bounded) => {
    expect(isBoundedPattern(pattern)).toBe(bounded);
  });

  it("catches what it is meant to catch", () => {
    expect(
      unboundedParts(
        {
          type: "object",
          properties: {
            free: { type: "string" },
            count: { type: "integer", minimum: 0 },
            list: { type: "array", items: { type: "string", maxLength: 3 } },
            nested: { type: "object", properties: {} },
          },
        },
        "t",
      ),
    ).toEqual([
      "t: object that accepts unknown properties",
      "t/free: string without maxLength, enum or bounded pattern",
      "t/count: number without a maximum",
      "t/list: array without maxItems",
      "t/nested: object that accepts unknown properties",
    ]);
  });
});
