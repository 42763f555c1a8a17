// tools/list and tools/call: compiles every ToolDefinition once (schemas, JSON Schema listing) and runs calls
// through the error boundary. Served by our own handlers instead of McpServer.registerTool so listings are
// computed once, validation errors share the structured error payload, and lenient string arguments work.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type CallToolResult,
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { CallScope } from "../api/index.js";
import { type ErrorPayload, newIncidentId, parseArguments, toErrorPayload } from "../pipeline/boundary.js";
import type { AppContext, CallContext, ConfirmationRequest } from "../context.js";
import {
  AuditUnavailableError,
  CallRateLimitedError,
  ConfirmationRequiredError,
  PolicyDeniedError,
  ShuttingDownError,
} from "../errors.js";
import type { Grant } from "../policy/access.js";
import { fitToBudget } from "../policy/budget.js";
import type { RefundAllowance } from "../policy/refund-limits.js";
import type { AuditTrail } from "../pipeline/audit.js";
import { confirmWrite } from "./confirm.js";
import type { ToolDefinition } from "../tools/define.js";
import { IdempotencyKeys } from "../state/idempotency.js";
import type { CallTracker } from "../pipeline/lifecycle.js";
import { ToolRateLimiter } from "../state/rate-limit.js";

/** Who calls over stdio: the one person whose client started this process. */
const LOCAL_CALLER = "local";

/** One tools/list entry. */
export type ToolListing = Tool;

interface CompiledTool {
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

function isRead(definition: ToolDefinition): boolean {
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

export interface ToolRuntime {
  tracker: CallTracker;
  /** Where each call's record goes. */
  audit: AuditTrail;
  /** The session's refund limits, shared by every call on this server. */
  refunds: RefundAllowance;
}

export function registerTools(
  mcp: McpServer,
  ctx: AppContext,
  tools: readonly ToolDefinition[],
  runtime: ToolRuntime,
): void {
  const compiled = new Map<string, CompiledTool>();
  for (const tool of tools) {
    if (compiled.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice.`);
    compiled.set(tool.name, compileTool(tool));
  }
  // Tools outside the grant are not listed, and refused if called anyway (decided once, at start).
  const grant = ctx.policy.grant;
  const refusals = new Map<string, string>();
  for (const tool of compiled.values()) {
    const refusal = refusalOf(tool.definition, grant);
    if (refusal) refusals.set(tool.definition.name, refusal);
  }
  // Listings are computed once: tools/list is answered from memory, in registration order.
  const listings = [...compiled.values()]
    .filter((tool) => !refusals.has(tool.definition.name))
    .map((tool) => tool.listing);
  const limiter = new ToolRateLimiter(ctx.config.limits.callsPerMinutePerTool, () => ctx.clock.now());
  const keys = new IdempotencyKeys(ctx.config.limits.idempotencyWindowMs, () => ctx.clock.now());

  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listings }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const callId = newIncidentId();
    const audit = runtime.audit.begin({
      callId,
      tool: request.params.name,
      arguments: request.params.arguments,
      client: mcp.server.getClientVersion(),
    });
    const tool = compiled.get(request.params.name);
    if (!tool) {
      audit.decision = "denied";
      audit.finish({ outcome: "error", errorCode: "unknown_tool" });
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}". Call tools/list to see the tools.`,
      );
    }
    const name = tool.definition.name;
    const log = ctx.logger.child({ tool: name, call_id: callId });
    if (!runtime.tracker.enter()) {
      audit.decision = "denied";
      const payload = toErrorPayload(new ShuttingDownError("The server is shutting down and takes no new calls.", {
        nextStep: "Call again once the client has restarted the server.",
      }), log);
      audit.finish({ outcome: "error", errorCode: payload.error_code });
      return errorResult(payload);
    }
    let scope: CallScope | undefined;
    try {
      const refusal = refusals.get(name);
      if (refusal) {
        audit.decision = "denied";
        throw new PolicyDeniedError(`${name} is not enabled on this server: ${refusal}.`, {
          nextStep: "Use the tools listed by tools/list; ask an operator if this action is needed.",
        });
      }
      // Fail closed: no write (money included) happens that the audit trail could not record. Reads go on, and
      // their records show when the trail can be written again.
      if (!isRead(tool.definition) && !runtime.audit.healthy) {
        audit.decision = "denied";
        throw new AuditUnavailableError(
          `${name} was refused: the audit trail cannot be written right now, and this server makes no change it cannot record.`,
          {
            nextStep: "Nothing was changed. Read tools still work. Tell the user that an operator must fix the audit "
              + "file (disk space, disk errors); writes are accepted again once an audit record is written.",
          },
        );
      }
      const rate = limiter.take(name);
      if (!rate.ok) {
        audit.decision = "denied";
        throw new CallRateLimitedError(`${name} was called too often; this server allows a limited rate per tool.`, {
          retryAfterMs: rate.retryAfterMs,
          nextStep: `Wait ${Math.ceil(rate.retryAfterMs / 1000)} s before calling ${name} again, and avoid calling it in a loop.`,
        });
      }
      const { fresh, idempotency_key, ...args } = parseArguments(tool.input, request.params.arguments) as {
        fresh?: boolean;
        idempotency_key?: string;
      } & Record<string, unknown>;
      const idempotencyKey = () => {
        const key = keys.keyFor(name, args, LOCAL_CALLER, idempotency_key);
        audit.idempotencyKey = key;
        return key;
      };
      const confirm = async (confirmation: ConfirmationRequest) => {
        try {
          audit.decision = await confirmWrite(confirmation, {
            server: mcp.server,
            writes: ctx.config.writes,
            signal: extra.signal,
            outsideDeadline: (fn) => ctx.api.outsideDeadline(fn),
          });
          if (audit.decision === "unconfirmed") log.warn("write made without confirmation (unconfirmed writes allowed)");
        } catch (error) {
          audit.decision = error instanceof ConfirmationRequiredError ? "denied" : "declined";
          throw error;
        }
      };
      const refunds = runtime.refunds;
      const callContext = callContextFor(ctx, extra, { callId, log, idempotencyKey, confirm, refunds });
      const timeoutMs = tool.definition.deadlineMs?.(ctx.config) ?? ctx.config.api.callTimeoutMs;
      const onScope = (callScope: CallScope) => {
        scope = callScope;
        audit.mayHaveWritten = () => callScope.writesSent > 0;
      };
      const { value } = await ctx.api.withCall({ fresh, timeoutMs, onScope }, () =>
        tool.definition.handler(args as never, callContext),
      );
      const shown = fitToBudget(ctx.policy.present(value), ctx.config.limits.maxResultTokens);
      const data = tool.output.parse(isRead(tool.definition) && scope ? withFreshness(shown, scope, ctx) : shown);
      audit.finish({ outcome: "ok", ...scopeFacts(scope) });
      const links = tool.definition.resourceLinks?.(data as never) ?? [];
      return {
        content: [
          { type: "text", text: JSON.stringify(data) },
          ...links.map((link) => ({ type: "resource_link" as const, ...link })),
        ],
        structuredContent: data,
      };
    } catch (error) {
      const payload = toErrorPayload(error, log);
      const outcome = payload.error_code === "outcome_unknown" ? "unknown" : "error";
      audit.finish({ outcome, errorCode: payload.error_code, ...scopeFacts(scope) });
      return errorResult(payload);
    } finally {
      runtime.tracker.leave();
    }
  });
}

function scopeFacts(scope: CallScope | undefined): { upstreamRequestIds?: string[]; cacheHits?: number } {
  return scope ? { upstreamRequestIds: scope.upstreamRequestIds, cacheHits: scope.cacheHits } : {};
}

function errorResult(payload: ErrorPayload): CallToolResult {
  return { isError: true, content: [{ type: "text", text: JSON.stringify(payload) }] };
}

function withFreshness(value: Record<string, unknown>, scope: CallScope, ctx: AppContext): Record<string, unknown> {
  return {
    ...value,
    fetched_at: new Date(scope.oldestFetchedAt ?? ctx.clock.now()).toISOString(),
    ...(scope.stale ? { stale: true } : {}),
  };
}

type Extra = Parameters<Parameters<McpServer["server"]["setRequestHandler"]>[1]>[1];

function callContextFor(
  ctx: AppContext,
  extra: Extra,
  call: Pick<CallContext, "callId" | "log" | "idempotencyKey" | "confirm" | "refunds">,
): CallContext {
  const progressToken = extra._meta?.progressToken;
  return {
    ...ctx,
    callId: call.callId,
    signal: extra.signal,
    log: call.log,
    idempotencyKey: call.idempotencyKey,
    confirm: call.confirm,
    refunds: call.refunds,
    async reportProgress(progress, total, message) {
      if (progressToken === undefined || extra.signal.aborted) return;
      await extra.sendNotification({
        method: "notifications/progress",
        params: {
          progressToken,
          progress,
          ...(total === undefined ? {} : { total }),
          ...(message ? { message } : {}),
        },
      });
    },
  };
}
