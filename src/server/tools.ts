// tools/list and tools/call: compiles every ToolDefinition once (schemas, JSON Schema listing) and runs calls
// through the error boundary. Served by our own handlers instead of McpServer.registerTool so listings are
// computed once, validation errors share the structured error payload, and lenient string arguments work.
import { randomUUID } from "node:crypto";
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
import { newIncidentId, parseArguments, toErrorPayload } from "../boundary.js";
import type { AppContext, CallContext } from "../context.js";
import type { ToolDefinition } from "../tools/define.js";
import { elapsedMs } from "./timing.js";

interface CompiledTool {
  definition: ToolDefinition;
  input: z.ZodType<unknown>;
  output: z.ZodType<Record<string, unknown>>;
  listing: Tool;
}

/** JSON Schema for the wire; the `$schema` key only costs tokens, MCP already fixes the dialect. */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Tool["inputSchema"] {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return rest as Tool["inputSchema"];
}

export function compileTool(definition: ToolDefinition): CompiledTool {
  // Unknown argument names are rejected rather than ignored, so a typo is reported instead of silently dropped.
  const input = z.strictObject(definition.input);
  const output = z.object(definition.output);
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

export function registerTools(mcp: McpServer, ctx: AppContext, tools: readonly ToolDefinition[]): void {
  const compiled = new Map<string, CompiledTool>();
  for (const tool of tools) {
    if (compiled.has(tool.name)) throw new Error(`Tool ${tool.name} is registered twice.`);
    compiled.set(tool.name, compileTool(tool));
  }
  // Listings are computed once: tools/list is answered from memory, in registration order.
  const listings = [...compiled.values()].map((tool) => tool.listing);

  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listings }));
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = compiled.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name}". Call tools/list to see the tools.`,
      );
    }
    const callId = newIncidentId();
    const log = ctx.logger.child({ tool: tool.definition.name, call_id: callId });
    const progressToken = extra._meta?.progressToken;
    let writeKey: string | undefined;
    const callContext: CallContext = {
      ...ctx,
      callId,
      signal: extra.signal,
      log,
      idempotencyKey() {
        writeKey ??= `cmcp-${tool.definition.name}-${randomUUID()}`;
        return writeKey;
      },
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
    const started = performance.now();
    try {
      const args = parseArguments(tool.input, request.params.arguments);
      const data = tool.output.parse(await tool.definition.handler(args as never, callContext));
      log.info({ ms: elapsedMs(started), outcome: "ok" }, "tool call");
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
      log.info({ ms: elapsedMs(started), outcome: "error", error_code: payload.error_code }, "tool call");
      return { isError: true, content: [{ type: "text", text: JSON.stringify(payload) }] };
    }
  });
}
