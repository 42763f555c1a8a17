// createServer(ctx, options): the MCP server for one principal, with the tools, resources and prompts their grant
// covers. Together with the other modules of src/mcp/, src/transports/ and index.ts, the only code that imports
// the MCP SDK. Side-effect free: nothing happens until a transport is connected. What is expensive is per process
// and passed in (the tool catalog, the app context with its state stores); a server is cheap to make per session.
import type { ServerOptions as SdkServerOptions } from "@modelcontextprotocol/sdk/server/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Implementation } from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { AppContext } from "../context.js";
import { AuditTrail, loggerSink } from "../pipeline/audit.js";
import type { PipelineRuntime } from "../pipeline/call.js";
import { CallTracker } from "../pipeline/lifecycle.js";
import { localPrincipal, type Principal, withClient } from "../pipeline/principal.js";
import { UNTRUSTED_NOTICE } from "../policy/untrusted.js";
import type { PromptDefinition } from "../prompts/define.js";
import { allPrompts } from "../prompts/index.js";
import type { ToolDefinition } from "../tools/define.js";
import { allTools } from "../tools/index.js";
import { readPackageInfo } from "../version.js";
import { createToolCatalog, type ToolCatalog } from "./catalog.js";
import type { ClientLogMirror } from "./client-log.js";
import { registerPrompts } from "./prompts.js";
import { ProtocolGate } from "./protocol-gate.js";
import { registerResources } from "./resources.js";
import { registerTools } from "./tools.js";

export const SERVER_INSTRUCTIONS = [
  "This server works with the company's customer records (customers, transactions, tickets, notes, refunds, exports)",
  "through the internal customer API.",
  "Workflow: find, then open, then act. Ids come from search: use search_customers or search_tickets to get an id,",
  "never guess one; open the record (get_customer_overview is the best first look at a customer); only then act.",
  "Lists are paged: pass next_cursor back as cursor; a result with truncated: true was cut to fit, so narrow the query.",
  "Money is given in minor units with a display string; timestamps are ISO 8601 UTC.",
  "Failed calls return error_code, message and next_step: follow next_step instead of retrying blindly.",
  UNTRUSTED_NOTICE,
].join("\n");

export interface ServerOptions {
  /** Who the session is for. Defaults to the configuration's local principal (stdio). */
  principal?: Principal;
  /** The compiled tools, built once per process; defaults to compiling `tools` (or every tool). */
  catalog?: ToolCatalog;
  /** Defaults to every tool; tests and policies pass a subset (ignored when `catalog` is given). */
  tools?: readonly ToolDefinition[];
  prompts?: readonly PromptDefinition[];
  /** Shared with index.ts so shutdown can stop intake and wait for calls in flight. */
  tracker?: CallTracker;
  /** Defaults to the log (stderr) only; index.ts adds the audit file when one is configured. */
  audit?: AuditTrail;
  /** Mirrors the logger's warnings and errors to the client (MCP logging); the logger must feed it. */
  clientLog?: ClientLogMirror;
  /** `unavailable` where no person can be asked to confirm a write (stateless HTTP); default `elicit`. */
  confirmations?: "elicit" | "unavailable";
  /**
   * Stateless HTTP: every request reaches a new server that has not seen `initialize`, so the protocol gate
   * must not insist on it. Default true (stdio: one long session).
   */
  requireInitialize?: boolean;
  /**
   * The JSON Schema validator the SDK checks elicitation answers with. Its default builds a new Ajv per server,
   * a large share of each request's time where a server is made per request (HTTP): share one there.
   */
  schemaValidator?: jsonSchemaValidator;
}

/** The SDK's server behind the protocol gate: whatever transport it is connected to, the gate sits in front. */
class GatedMcpServer extends McpServer {
  readonly #requireInitialize: boolean;

  constructor(info: Implementation, options: SdkServerOptions, requireInitialize: boolean) {
    super(info, options);
    this.#requireInitialize = requireInitialize;
  }

  override connect(transport: Transport): Promise<void> {
    return super.connect(new ProtocolGate(transport, { requireInitialize: this.#requireInitialize }));
  }
}

export function createServer(ctx: AppContext, options: ServerOptions = {}): McpServer {
  const { version } = readPackageInfo();
  const mcp = new GatedMcpServer(
    { name: "customer-mcp", title: "Customer API", version },
    // logging: warnings and errors reach the client as notifications/message, at the level it sets.
    {
      instructions: SERVER_INSTRUCTIONS,
      capabilities: { logging: {} },
      ...(options.schemaValidator ? { jsonSchemaValidator: options.schemaValidator } : {}),
    },
    options.requireInitialize ?? true,
  );
  options.clientLog?.attach(mcp.server);
  const runtime: PipelineRuntime = {
    ctx,
    tracker: options.tracker ?? new CallTracker(),
    audit: options.audit ?? new AuditTrail([loggerSink(ctx.logger)]),
    confirmations: options.confirmations ?? "elicit",
  };
  const session = options.principal ?? localPrincipal(ctx.config);
  // The client says who it is in `initialize`; every call's record names it from then on.
  const principal = () => withClient(session, mcp.server.getClientVersion());
  registerTools(mcp, runtime, options.catalog ?? createToolCatalog(options.tools ?? allTools), principal);
  registerResources(mcp, runtime, principal);
  registerPrompts(mcp, runtime, principal, options.prompts ?? allPrompts);
  return mcp;
}
