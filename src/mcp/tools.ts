// tools/list and tools/call: the listing is the principal's share of the catalog (src/mcp/catalog.ts), and every
// call is a CallPlan run through the pipeline (src/pipeline/call.ts). Served by our own handlers instead of
// McpServer.registerTool so listings are computed once, validation errors share the structured error payload, and
// lenient string arguments work.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type CallToolResult,
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { CallScope } from "../api/index.js";
import type { CallContext, ConfirmationRequest } from "../context.js";
import { ConfirmationRequiredError } from "../errors.js";
import { newIncidentId, type ErrorPayload, parseArguments } from "../pipeline/boundary.js";
import { type CallPlan, type PipelineRuntime, runCall, type RunningCall } from "../pipeline/call.js";
import { type Principal, principalKey } from "../pipeline/principal.js";
import { fitToBudget } from "../policy/budget.js";
import { RefundLimiter } from "../policy/refund-limits.js";
import { IdempotencyKeys } from "../state/idempotency.js";
import { type CompiledTool, isRead, refusalOf, type ToolCatalog } from "./catalog.js";
import { confirmWrite } from "./confirm.js";

type Extra = Parameters<Parameters<McpServer["server"]["setRequestHandler"]>[1]>[1];

interface ToolArgs {
  args: Record<string, unknown>;
  fresh?: boolean;
  idempotencyKey?: string;
}

/**
 * Registers tools/list and tools/call for `principal` (the session's; the client's name is added per call, once
 * it has sent `initialize`).
 */
export function registerTools(
  mcp: McpServer,
  runtime: PipelineRuntime,
  catalog: ToolCatalog,
  principal: () => Principal,
): void {
  const { ctx } = runtime;
  const keys = new IdempotencyKeys(ctx.state.idempotency, ctx.config.limits.idempotencyWindowMs, () => ctx.clock.now());
  const refunds = new RefundLimiter(ctx.state.documents, ctx.config.writes);

  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: catalog.listingsFor(principal().policy.grant),
  }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const caller = principal();
    const tool = catalog.get(request.params.name);
    if (!tool) throw unknownTool(runtime, caller, request.params.name, request.params.arguments);

    const plan: CallPlan<ToolArgs, Record<string, unknown>, Record<string, unknown>> = {
      admission: {
        label: tool.definition.name,
        refusal: refusalOf(tool.definition, caller.policy.grant),
        write: !isRead(tool.definition),
        bucket: `tool:${tool.definition.name}`,
      },
      parse: (raw) => {
        const { fresh, idempotency_key, ...args } = parseArguments(tool.input, raw) as {
          fresh?: boolean;
          idempotency_key?: string;
        } & Record<string, unknown>;
        return { args, fresh, idempotencyKey: idempotency_key };
      },
      deadlineMs: tool.definition.deadlineMs?.(ctx.config) ?? ctx.config.api.callTimeoutMs,
      fresh: (parsed) => parsed.fresh ?? false,
      run: (parsed, call) => {
        const callContext = toolContext(mcp, runtime, call, extra, {
          idempotencyKey: async () => {
            const caller = principalKey(call.principal);
            const key = await keys.keyFor(tool.definition.name, parsed.args, caller, parsed.idempotencyKey);
            call.record.idempotencyKey = key;
            return key;
          },
          refunds: refunds.allowance(`${principalKey(call.principal)}:${call.principal.window}`),
        });
        return tool.definition.handler(parsed.args as never, callContext);
      },
      present: (value, call, scope) => {
        const budgetTokens = ctx.config.limits.maxResultTokens;
        return presentToolResult(tool, value, { call, scope, now: ctx.clock.now(), budgetTokens });
      },
    };
    const outcome = await runCall(runtime, {
      method: "tools/call",
      target: { tool: tool.definition.name },
      arguments: request.params.arguments,
      principal: caller,
      signal: extra.signal,
    }, plan);
    return outcome.ok ? toolResult(tool, outcome.value) : errorResult(outcome.payload);
  });
}

/** The present step of a tool: the principal's view of the result, within the budget, checked against its schema. */
function presentToolResult(
  tool: CompiledTool,
  value: Record<string, unknown>,
  presenting: { call: RunningCall; scope: CallScope | undefined; now: number; budgetTokens: number },
): Record<string, unknown> {
  const { call, scope, now, budgetTokens } = presenting;
  const shown = fitToBudget(call.principal.policy.present(value), budgetTokens);
  const fresh = isRead(tool.definition) && scope ? withFreshness(shown, scope, now) : shown;
  return tool.output.parse(fresh);
}

function toolResult(tool: CompiledTool, data: Record<string, unknown>): CallToolResult {
  const links = tool.definition.resourceLinks?.(data as never) ?? [];
  return {
    content: [
      { type: "text", text: JSON.stringify(data) },
      ...links.map((link) => ({ type: "resource_link" as const, ...link })),
    ],
    structuredContent: data,
  };
}

function errorResult(payload: ErrorPayload): CallToolResult {
  return { isError: true, content: [{ type: "text", text: JSON.stringify(payload) }] };
}

/** An unknown tool name is a protocol error, recorded like any call so the trail shows what was tried. */
function unknownTool(runtime: PipelineRuntime, principal: Principal, name: string, args: unknown): McpError {
  const record = runtime.audit.begin({
    callId: newIncidentId(),
    method: "tools/call",
    target: { tool: name },
    arguments: args,
    principal,
  });
  record.decision = "denied";
  record.finish({ outcome: "error", errorCode: "unknown_tool" });
  return new McpError(ErrorCode.InvalidParams, `Unknown tool "${name}". Call tools/list to see the tools.`);
}

function withFreshness(value: Record<string, unknown>, scope: CallScope, now: number): Record<string, unknown> {
  return {
    ...value,
    fetched_at: new Date(scope.oldestFetchedAt ?? now).toISOString(),
    ...(scope.stale ? { stale: true } : {}),
  };
}

/** What a tool handler gets: the app, the principal, and this call's logger, progress and write guards. */
function toolContext(
  mcp: McpServer,
  runtime: PipelineRuntime,
  call: RunningCall,
  extra: Extra,
  guards: Pick<CallContext, "idempotencyKey" | "refunds">,
): CallContext {
  const { ctx } = runtime;
  const progressToken = extra._meta?.progressToken;
  const confirm = async (confirmation: ConfirmationRequest) => {
    try {
      call.record.decision = await confirmWrite(confirmation, {
        server: mcp.server,
        confirmations: runtime.confirmations,
        writes: ctx.config.writes,
        signal: call.signal,
        outsideDeadline: (fn) => ctx.api.outsideDeadline(fn),
      });
      if (call.record.decision === "unconfirmed") call.log.warn("write made without confirmation (unconfirmed writes allowed)");
    } catch (error) {
      // Shutdown ending the wait is nobody's answer: the decision stays `allowed`, the outcome says interrupted.
      if (call.stoppedByShutdown()) throw error;
      call.record.decision = error instanceof ConfirmationRequiredError ? "denied" : "declined";
      throw error;
    }
  };
  return {
    ...ctx,
    principal: call.principal,
    policy: call.principal.policy,
    callId: call.id,
    signal: call.signal,
    log: call.log,
    confirm,
    ...guards,
    async reportProgress(progress, total, message) {
      if (progressToken === undefined || call.signal.aborted) return;
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
