// The tool catalog: every ToolDefinition compiled once per process (the strict input schema with the added
// parameters, the output schema, the JSON Schema listing), and tools/list per grant, computed once per grant.
// What goes on the wire is snapshotted per tool in tests/__toolsnaps__/.
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { type AccessSettings, type Grant, PROFILES, type Scope } from "../policy/access.js";
import type { ToolDefinition } from "../tools/define.js";

/** One tools/list entry. */
export type ToolListing = Tool;

export interface CompiledTool {
  definition: ToolDefinition;
  input: z.ZodType<unknown>;
  output: z.ZodType<Record<string, unknown>>;
  listing: ToolListing;
}

/**
 * JSON Schema for the wire, without what costs tokens on every session and tells a client nothing. zod still
 * checks every argument and every result in full; these only shorten what is listed.
 * - `$schema`: MCP already fixes the dialect.
 * - `pattern` beside `format`: zod spells date-time and email out as regexes (177 and 73 Claude tokens) next to
 *   the format that already names them.
 * Output schemas only, which models rarely see but some clients validate structuredContent against (all still
 * accept every result):
 * - the ±(2^53 - 1) bounds zod puts on every integer, which no JSON number a client gets can exceed. Input keeps
 *   its bounds: every number a model may send has a stated maximum (tests/server/input-bounds.test.ts);
 * - `type` beside `enum` or `const`, whose values already fix it; `additionalProperties: false`, which only
 *   says the server adds nothing unlisted;
 * - `required` below the top level: nearly every field of a view is always there (null when unknown), while the
 *   top level, where absence means something (truncated, stale), keeps it.
 * Views marked `.meta({ id })` (Money, UntrustedText) are defined once under `$defs` where a result uses them
 * twice or more. Input schemas stay inline: some clients strip `$defs` from them.
 */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Tool["inputSchema"] {
  const json = z.toJSONSchema(schema, {
    io,
    override: ({ jsonSchema, path }) => {
      if (jsonSchema.format !== undefined) delete jsonSchema.pattern;
      if (io === "input") return;
      if (jsonSchema.type === "integer") {
        if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
        if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      }
      if (jsonSchema.enum !== undefined || jsonSchema.const !== undefined) delete jsonSchema.type;
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
      if (path.length > 0) delete jsonSchema.required;
    },
  }) as Record<string, unknown>;
  if (io === "input" && "$defs" in json) throw new Error("An input schema must not use $defs; inline it.");
  inlineSingleUseDefs(json);
  const { $schema: _dialect, ...rest } = json;
  return rest as Tool["inputSchema"];
}

/** zod defines every marked view under `$defs`; one used once is cheaper written where it is used. */
function inlineSingleUseDefs(root: Record<string, unknown>): void {
  const defs = root.$defs as Record<string, object> | undefined;
  if (!defs) return;
  const refs = new Map<string, Record<string, unknown>[]>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.$ref === "string") refs.set(record.$ref, [...(refs.get(record.$ref) ?? []), record]);
    Object.values(record).forEach(visit);
  };
  visit(root);
  for (const [name, definition] of Object.entries(defs)) {
    const uses = refs.get(`#/$defs/${name}`) ?? [];
    if (uses.length > 1) continue;
    for (const use of uses) {
      // The reference's own keywords (a field's description) stay and win over the definition's.
      const { $ref: _ref, ...own } = use;
      delete use.$ref;
      Object.assign(use, definition, own);
    }
    delete defs[name];
  }
  if (Object.keys(defs).length === 0) delete root.$defs;
}

/** Added to every read tool: bypass the cache. */
const FRESH_PARAM = z
  .boolean()
  .optional()
  .describe("Skip the cache, e.g. right after a write.");

/** Added to every write that is not naturally idempotent: names the write so repeating it never repeats it. */
const IDEMPOTENCY_KEY_PARAM = z
  .string()
  // Visible ASCII (! to ~), its length in the pattern: one keyword instead of three in every write tool's schema.
  .regex(/^[!-~]{8,128}$/, { error: "must be 8-128 visible ASCII characters" })
  .optional()
  .describe(
    "Names this write: a repeat with the same key replays the first result. Same arguments within minutes count "
    + "as one write anyway.",
  );

/** Added to every read tool's output. */
const FRESHNESS_OUTPUT = {
  fetched_at: z.string(),
  // True when the API was failing and this is an older cached answer (fetched_at says how old): the name says it.
  stale: z.boolean().optional(),
};

export function isRead(definition: ToolDefinition): boolean {
  return definition.annotations.readOnlyHint;
}

function takesIdempotencyKey(definition: ToolDefinition): boolean {
  return !definition.annotations.readOnlyHint && !definition.annotations.idempotentHint;
}

export function compileTool(definition: ToolDefinition): CompiledTool {
  const extraInput = isRead(definition)
    ? { fresh: FRESH_PARAM }
    : takesIdempotencyKey(definition)
      ? { idempotency_key: IDEMPOTENCY_KEY_PARAM }
      : {};
  // Unknown argument names are rejected rather than ignored, so a typo is reported instead of silently dropped.
  const input = z.strictObject({ ...definition.input, ...extraInput });
  const output = z.object({ ...definition.output, ...(isRead(definition) ? FRESHNESS_OUTPUT : {}) });
  return {
    definition,
    input,
    output,
    listing: {
      name: definition.name,
      title: definition.title,
      description: definition.description,
      inputSchema: jsonSchemaOf(input, "input"),
      outputSchema: jsonSchemaOf(output, "output"),
      annotations: { title: definition.title, ...definition.annotations },
    },
  };
}

/** Why the grant leaves a tool out of tools/list (and refuses its calls), or undefined when it is granted. */
export function refusalOf(definition: ToolDefinition, grant: Grant): string | undefined {
  const { name, access, annotations } = definition;
  return grant.refusal({ name, readOnly: annotations.readOnlyHint, ...access });
}

/**
 * The part of a listing a model reads. Claude Code and VS Code build the model's tool from exactly these three
 * fields, and Claude Desktop does not show outputSchema to the model, so this is what a tool costs the context.
 */
export function modelFacing(listing: ToolListing): {
  name: string;
  description?: string;
  input_schema: Tool["inputSchema"];
} {
  return { name: listing.name, description: listing.description, input_schema: listing.inputSchema };
}

/**
 * The scopes worth asking a token for where no person can be asked to confirm (HTTP, until approvals land): those
 * `access` grants, less any that only tools confirming every call need (refunds:write): such a token would get
 * nothing more. customers:pii, which no tool needs but every view reads, stays.
 */
export function scopesWithoutConfirmation(access: AccessSettings, tools: readonly ToolDefinition[]): Scope[] {
  const granted = access.scopes ?? PROFILES[access.profile];
  return granted.filter((scope) => {
    const needing = tools.filter((tool) => tool.access.scopes.includes(scope));
    return needing.length === 0 || needing.some((tool) => tool.access.confirmation !== "always");
  });
}

export interface ToolCatalog {
  get(name: string): CompiledTool | undefined;
  /** What tools/list sends a principal with `grant`: the granted tools, in registration order. */
  listingsFor(grant: Grant): ToolListing[];
}

/** Compiles `tools` once; listings are computed once per grant (a grant is one principal's, or the session's). */
export function createToolCatalog(tools: readonly ToolDefinition[]): ToolCatalog {
  const compiled = new Map<string, CompiledTool>();
  for (const tool of tools) {
    if (compiled.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice.`);
    compiled.set(tool.name, compileTool(tool));
  }
  const listings = new WeakMap<Grant, ToolListing[]>();
  return {
    get: (name) => compiled.get(name),
    listingsFor(grant) {
      let listed = listings.get(grant);
      if (!listed) {
        listed = [...compiled.values()]
          .filter((tool) => refusalOf(tool.definition, grant) === undefined)
          .map((tool) => tool.listing);
        listings.set(grant, listed);
      }
      return listed;
    },
  };
}
