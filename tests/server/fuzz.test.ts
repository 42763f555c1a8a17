// Property-based fuzzing of every tool through the real SDK client and the real sandbox: whatever the arguments
// (unknown keys, wrong types, huge or odd strings, edge numbers, well-formed ids mixed in), a call ends in a
// result that validates against the tool's output schema or an isError result whose JSON carries error_code,
// message and next_step, never an internal error; unknown tools get the documented McpError; resource reads,
// listing cursors, prompts and completions get an answer or an expected protocol error; and the server answers
// a normal call afterwards. Deterministic: fixed fast-check seed, a seeded sandbox, bounded runs.
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { allTools } from "../../src/tools/index.js";
import { testContext } from "../helpers/context.js";
import { captureLogs, type CapturedLogs } from "../helpers/logs.js";
import { callTool, type Connected, connectInMemory } from "../helpers/mcp.js";

const SEED = 20_261_122;
const RUNS_PER_TOOL = 30;

let sandbox: Sandbox;
let connected: Connected;
let logs: CapturedLogs;
interface PropertySchema {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
}
interface InputSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}
/** Each tool's input schema as tools/list gives it. */
const inputSchemas = new Map<string, InputSchema>();

beforeAll(async () => {
  // Exports finish at once, so a well-formed export_customers call does not poll for seconds.
  sandbox = await startSandbox({
    seed: 31,
    exportDurationMs: 0,
    counts: { customers: 40, transactions: 200, tickets: 40 },
  });
  logs = captureLogs();
  connected = await connectInMemory(
    testContext(sandbox, { logger: logs.logger, access: { profile: "admin", readOnly: false }, exportPollMs: 10 }),
  );
  // Listing also makes the client validate every structuredContent against the tool's outputSchema.
  for (const tool of (await connected.client.listTools()).tools) {
    inputSchemas.set(tool.name, tool.inputSchema as InputSchema);
  }
});
afterAll(async () => {
  await connected?.close();
  await sandbox?.close();
});

/** Strings a parser or a path builder could trip on. */
const ODD_STRINGS = [
  "", " ", "NaN", "Infinity", "-Infinity", "-0", "1e308", "1e309", "0x1f", "9".repeat(400), " 42 ", "4.2e1",
  "null", "true", "[]", "{}", '{"__proto__":{"polluted":true}}', "__proto__", "constructor",
  "../../v1/segments", "cus_../..", "..", ".", "%2e%2e", "cus_abc%2F..%2Fx", "a/b?c=d#e", "\\", "'; DROP TABLE--",
  "\u0000", "\u0007bell", "\u202Eevil", "zero\u200Bwidth", "😀".repeat(300), "\uD800", "line\nbreak\r\n",
  "2026-02-30T00:00:00Z", "2026-01-31T00:00:00.1234567890123456789Z", "csv", "jsonl", "open", "urgent",
];

function wellFormedValues(): unknown[] {
  const f = sandbox.store.fixtures;
  return [
    f.demoCustomerId, f.unsafeNameCustomerId, f.refundableTransactionId, f.pendingTransactionId,
    f.promptInjectionTicketId, ...f.openTicketIds, sandbox.store.segments[0]?.id, f.demoCustomerEmail,
    "cus_0000000000", "tkt_00000000", "txn_00000000", "seg_00000000", "usr_mayachen01", "idem-key-0001",
    "active", "suspended", "duplicate", "charge", "2026-01-31T00:00:00Z", true, false, 1, 5, 100,
  ];
}

const codePoint = fc.nat({ max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));

function valueArb(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...wellFormedValues()) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
    // Any code point, lone surrogates included (fast-check's "binary" unit costs over a second to build).
    { weight: 1, arbitrary: fc.string({ unit: codePoint, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(-0, 0, -1, 0.5, 1e308, -1e308, 2 ** 53 + 1, Number.MIN_VALUE, 10_001) },
    { weight: 1, arbitrary: fc.integer() },
    // Long strings: over every maxLength, and near the transport's message cap.
    { weight: 1, arbitrary: fc.constantFrom("x".repeat(5_001), "é".repeat(100_000), "a".repeat(300_000)) },
  );
}

/** Ids of each kind that exist in the sandbox, plus a well-formed one that does not. */
function idsFor(pattern: string): string[] {
  const f = sandbox.store.fixtures;
  const store = sandbox.store;
  const byPrefix: Record<string, string[]> = {
    cus_: [f.demoCustomerId, f.unsafeNameCustomerId, store.customers[5]?.id ?? f.demoCustomerId, "cus_0000000000"],
    tkt_: [f.promptInjectionTicketId, ...f.openTicketIds, "tkt_00000000"],
    txn_: [f.refundableTransactionId, f.partiallyRefundedTransactionId, f.fullyRefundedTransactionId, f.pendingTransactionId, "txn_00000000"],
    seg_: [store.segments[0]?.id ?? "seg_00000000", "seg_00000000"],
    usr_: ["usr_mayachen01", "usr_00000000"],
  };
  const prefix = /^\^([a-z]+_)/.exec(pattern)?.[1] ?? "";
  return byPrefix[prefix] ?? [];
}

/** A value the property's schema accepts, often right at one of its bounds. */
function validValueArb(property: PropertySchema): fc.Arbitrary<unknown> {
  if (property.enum) return fc.constantFrom(...property.enum);
  if (property.type === "boolean") return fc.boolean();
  if (property.type === "integer" || property.type === "number") {
    const min = property.minimum ?? (property.exclusiveMinimum ?? 0) + 1;
    const max = Math.min(property.maximum ?? 1_000_000, 1_000_000);
    return fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min, max }) },
      { weight: 1, arbitrary: fc.constantFrom(min, max) },
    );
  }
  const ids = property.pattern ? idsFor(property.pattern) : [];
  if (ids.length > 0) return fc.constantFrom(...ids);
  if (property.format === "date-time") {
    return fc.constantFrom("2026-01-31T00:00:00Z", "2020-01-01T00:00:00+02:00", "2099-12-31T23:59:59.999Z");
  }
  if (property.format === "email") return fc.constantFrom(sandbox.store.fixtures.demoCustomerEmail, "nobody@example.com");
  const minLength = property.minLength ?? 0;
  const maxLength = property.maxLength ?? 50;
  // Padding keeps a generated match within the length bounds; the patterns here are character classes.
  if (property.pattern) {
    return fc.stringMatching(new RegExp(property.pattern)).map((text) => text.padEnd(minLength, "k").slice(0, maxLength));
  }
  return fc.oneof(
    fc.string({ unit: "grapheme", minLength: minLength + 2, maxLength: Math.min(maxLength, 60) }),
    fc.constantFrom("x".repeat(maxLength), `  ${"y".repeat(Math.max(minLength, 2))}  `),
  );
}

/** Arguments the schema accepts (optional ones present or not, values at bounds), or with one value replaced. */
function nearlyValidArgumentsArb(tool: string): fc.Arbitrary<Record<string, unknown>> {
  const schema = inputSchemas.get(tool) ?? {};
  const required = new Set(schema.required ?? []);
  // No cursor: only one this server issued is valid, and the random arguments cover the rest.
  const shape = Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([name]) => name !== "cursor")
      .map(([name, property]) => [name, validValueArb(property)]),
  );
  const valid = fc.record(shape, { requiredKeys: [...required] }) as fc.Arbitrary<Record<string, unknown>>;
  const names = Object.keys(shape);
  const sent = valid.map((args) => JSON.parse(JSON.stringify(args)) as Record<string, unknown>);
  if (names.length === 0) return sent;
  const swapped = fc
    .tuple(valid, fc.constantFrom(...names), valueArb())
    .map(([args, name, value]) => JSON.parse(JSON.stringify({ ...args, [name]: value })) as Record<string, unknown>);
  return fc.oneof({ weight: 2, arbitrary: sent }, { weight: 1, arbitrary: swapped });
}

function argumentsArb(tool: string): fc.Arbitrary<Record<string, unknown>> {
  const known = Object.keys(inputSchemas.get(tool)?.properties ?? {});
  const randomKey = fc.string({ maxLength: 12 });
  const key = known.length > 0
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: randomKey })
    : randomKey;
  return fc
    .dictionary(key, valueArb(), { maxKeys: Math.max(3, known.length + 1) })
    // What a real client sends went through JSON: no undefined, no NaN, -0 becomes 0.
    .map((args) => JSON.parse(JSON.stringify(args)) as Record<string, unknown>);
}

/** Either a result valid for its output schema (the client checked it) or a well-formed error payload. */
function expectWellFormed(result: Awaited<ReturnType<typeof callTool>>): void {
  const first = result.content[0];
  expect(first?.type).toBe("text");
  const text = first?.type === "text" ? first.text : "";
  if (result.isError) {
    const payload = JSON.parse(text) as Record<string, unknown>;
    expect(payload).toMatchObject({
      error_code: expect.stringMatching(/^[a-z_]+$/),
      message: expect.any(String),
      next_step: expect.any(String),
    });
    // Fuzzed input is the caller's fault or the data's, never an unexpected error.
    expect(payload.error_code).not.toBe("internal_error");
  } else {
    expect(result.structuredContent).toBeTypeOf("object");
    expect(JSON.parse(text)).toEqual(result.structuredContent);
  }
}

describe("fuzzed tool arguments", () => {
  it.each(allTools.map((tool) => tool.name))("%s answers every input with a result or a clear error", async (name) => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 1, arbitrary: argumentsArb(name) }, { weight: 2, arbitrary: nearlyValidArgumentsArb(name) }),
        async (args) => {
          expectWellFormed(await callTool(connected.client, name, args));
        }),
      { seed: SEED, numRuns: RUNS_PER_TOOL, endOnFailure: true },
    );
  });

  it("answers unknown tool names with the documented McpError, and nothing else", async () => {
    const known = new Set(allTools.map((tool) => tool.name));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom("", "GET_CUSTOMER", "get_customer ", "__proto__", "toString")),
        async (name) => {
          fc.pre(!known.has(name));
          const error = await callTool(connected.client, name, {}).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(McpError);
          expect((error as McpError).code).toBe(ErrorCode.InvalidParams);
        },
      ),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  });
});

/** Protocol errors fuzzed input may earn: bad params or not found, or an expected (coded) error from the API. */
function expectExpectedMcpError(error: unknown): void {
  expect(error).toBeInstanceOf(McpError);
  const { code, data } = error as McpError;
  if (code === ErrorCode.InternalError) {
    expect((data as { error_code?: string } | undefined)?.error_code).toMatch(/^[a-z_]+$/);
    expect((data as { error_code?: string }).error_code).not.toBe("internal_error");
  } else {
    expect([ErrorCode.InvalidParams, -32002]).toContain(code);
  }
}

/** A string for a URI variable or a prompt argument: ids that exist, odd strings, or anything. */
function variableArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...wellFormedValues().filter((value): value is string => typeof value === "string")),
    fc.constantFrom(...ODD_STRINGS),
    fc.string({ unit: codePoint, maxLength: 40 }),
    fc.constantFrom("exp_a1b2c3d4e5", "x".repeat(5_000)),
  );
}

describe("fuzzed resource reads, listings, prompts and completions", () => {
  it("answers every resources/read with contents or a not-found / invalid-params error", async () => {
    const uriArb = fc.oneof(
      fc.tuple(fc.constantFrom("customer://customers/", "customer://tickets/", "customer://exports/"), variableArb())
        .map(([base, value]) => `${base}${encodeURIComponent(value)}`),
      fc.tuple(fc.constantFrom("customer://customers/", "customer://tickets/"), variableArb())
        .map(([base, value]) => `${base}${value}`),
      fc.constantFrom("customer://segments", "customer://segments/", "customer://", "file:///etc/passwd", "", "x"),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(uriArb, async (uri) => {
        try {
          const result = await connected.client.readResource({ uri });
          expect(result.contents.length).toBeGreaterThan(0);
        } catch (error) {
          // The SDK parses the URI before routing and answers one that does not parse with InternalError
          // "Invalid URL": harmless, but not a code of ours.
          const invalidUrl = { code: ErrorCode.InternalError, message: expect.stringMatching(/Invalid URL/) };
          if (URL.canParse(uri)) expectExpectedMcpError(error);
          else expect(error).toMatchObject(invalidUrl);
        }
      }),
      { seed: SEED, numRuns: 60, endOnFailure: true },
    );
  });

  it("answers resources/list with any cursor by a page or an invalid-params error", async () => {
    const first = await connected.client.listResources();
    const cursorArb = fc.oneof(
      fc.constant(first.nextCursor ?? ""),
      variableArb(),
      fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value)).toString("base64url")),
      fc.record({ t: fc.integer({ min: -3, max: 5 }), c: fc.option(variableArb()) })
        .map((value) => Buffer.from(JSON.stringify(value)).toString("base64url")),
    );
    await fc.assert(
      fc.asyncProperty(cursorArb, async (cursor) => {
        try {
          const page = await connected.client.listResources({ cursor });
          expect(Array.isArray(page.resources)).toBe(true);
        } catch (error) {
          expectExpectedMcpError(error);
        }
      }),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  });

  it("answers every prompts/get with messages or an expected error, and every completion with a list", async () => {
    const prompts = (await connected.client.listPrompts()).prompts.map((prompt) => prompt.name);
    const argumentsArb = fc.dictionary(
      fc.oneof(fc.constantFrom("customer_id", "ticket_id", "tone"), fc.string({ maxLength: 8 })),
      variableArb(),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prompts, "no_such_prompt"), argumentsArb, variableArb(), async (name, args, partial) => {
        try {
          const prompt = await connected.client.getPrompt({ name, arguments: args });
          expect(prompt.messages.length).toBeGreaterThan(0);
        } catch (error) {
          expectExpectedMcpError(error);
        }
        const completion = await connected.client
          .complete({
            ref: { type: "ref/resource", uri: "customer://customers/{customer_id}" },
            argument: { name: "customer_id", value: partial },
          });
        expect(Array.isArray(completion.completion.values)).toBe(true);
      }),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  });
});

describe("after fuzzing", () => {
  it("still answers a normal call afterwards, and logged no unexpected error", async () => {
    const result = await callTool(connected.client, "search_customers", { email: sandbox.store.fixtures.demoCustomerEmail });
    expect(result.isError).toBeFalsy();
    expect(await connected.client.ping()).toEqual({});
    const unexpected = logs.lines().filter((line) => typeof line.level === "number" && line.level >= 50);
    expect(unexpected).toEqual([]);
  });
});
