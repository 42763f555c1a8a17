// The HTTP service of `customer-mcp http`, in process, on an ephemeral loopback port, over a sandbox: built from
// the shipped configuration (parseCommand with the given variables), with captured logs and audit records, and
// clients of the real SDK over Streamable HTTP.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { parseCommand } from "../../src/config/config.js";
import type { HttpSettings } from "../../src/config/http.js";
import type { AppContext } from "../../src/context.js";
import { createToolCatalog, scopesWithoutConfirmation } from "../../src/mcp/catalog.js";
import { AuditTrail, type AuditRecord } from "../../src/pipeline/audit.js";
import { CallTracker } from "../../src/pipeline/lifecycle.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { allTools, TOOL_NAMES } from "../../src/tools/index.js";
import { type Authenticator, developmentAuthenticator } from "../../src/transports/http/authenticator.js";
import type { ReadinessCheck } from "../../src/transports/http/health.js";
import { oauthAuthenticator } from "../../src/transports/http/oauth.js";
import { type HttpService, startHttpService } from "../../src/transports/http/service.js";
import type { AccessSettings } from "../../src/policy/access.js";
import { testContext, type TestContextOptions } from "./context.js";
import { type CapturedLogs, captureLogs } from "./logs.js";

export interface TestHttpService {
  readonly service: HttpService;
  /** http://127.0.0.1:PORT/mcp */
  readonly endpoint: string;
  readonly ctx: AppContext;
  readonly settings: HttpSettings;
  readonly tracker: CallTracker;
  readonly logs: CapturedLogs;
  readonly records: AuditRecord[];
  /** A real SDK client over Streamable HTTP, initialized; closed with the service. */
  client(headers?: Record<string, string>): Promise<Client>;
  close(): Promise<void>;
}

export interface TestHttpOptions {
  /**
   * Variables as an operator sets them. Without CUSTOMER_MCP_OAUTH_ISSUER, CUSTOMER_MCP_HTTP_AUTH=none is added;
   * with it, the service checks tokens as `customer-mcp http` does.
   */
  env?: Record<string, string>;
  context?: TestContextOptions;
  checks?: readonly ReadinessCheck[];
}

export async function startTestHttp(sandbox: Sandbox, options: TestHttpOptions = {}): Promise<TestHttpService> {
  const env = {
    CUSTOMER_API_URL: sandbox.url,
    CUSTOMER_API_KEY: sandbox.apiKey,
    ...(options.env?.CUSTOMER_MCP_OAUTH_ISSUER ? {} : { CUSTOMER_MCP_HTTP_AUTH: "none" }),
    ...options.env,
  };
  const command = parseCommand(["http", "--port", "0"], env, TOOL_NAMES);
  if (command.kind !== "http") throw new Error("expected the http command");
  const logs = captureLogs("debug");
  const records: AuditRecord[] = [];
  // The operator's access settings from the variables, as `customer-mcp http` would read them.
  const access = { ...command.config.access, ...options.context?.access };
  const ctx = testContext(sandbox, { logger: logs.logger, ...options.context, access });
  const tracker = new CallTracker();
  const audit = new AuditTrail([{ name: "test", write: (record) => void records.push(record), close: async () => {} }], {
    replica: command.http.replicaId,
  });
  const service = await startHttpService({
    ctx,
    settings: command.http,
    authenticator: authenticatorFor(command.http, access, logs),
    catalog: createToolCatalog(allTools),
    tracker,
    audit,
    checks: options.checks ?? [],
    logger: logs.logger,
  });
  const clients: Client[] = [];
  const endpoint = `${service.url}/mcp`;
  return {
    service,
    endpoint,
    ctx,
    settings: command.http,
    tracker,
    logs,
    records,
    async client(headers = {}) {
      const client = new Client({ name: "http-tests", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(endpoint), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.close();
      await service.drain(0);
      ctx.api.close();
    },
  };
}

function authenticatorFor(settings: HttpSettings, access: AccessSettings, logs: CapturedLogs): Authenticator {
  return settings.auth.kind === "oauth"
    ? oauthAuthenticator(settings, settings.auth, scopesWithoutConfirmation(access, allTools), logs.logger)
    : developmentAuthenticator("local");
}

/** A raw POST to the endpoint, as a client that speaks Streamable HTTP would send it. */
export async function post(
  endpoint: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...headers,
    },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

export const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method, params });
