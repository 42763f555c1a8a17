// Connects the real SDK Client to a server built by createServer, over the SDK's in-memory transport pair.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type CallToolResult,
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import type { AppContext } from "../../src/context.js";
import { createServer, type ServerOptions } from "../../src/mcp/server.js";

export interface Connected {
  client: Client;
  close(): Promise<void>;
}

/** How the test client answers a confirmation form; `null` declares no elicitation support at all. */
export type ElicitationAnswer = (request: ElicitRequest["params"]) => ElicitResult | Promise<ElicitResult>;

/** A user who ticks the box: the default, so tests about other things can make confirmed writes. */
export const confirmEverything: ElicitationAnswer = () => ({ action: "accept", content: { confirm: true } });

export interface ClientOptions {
  /** Defaults to confirmEverything; null = a client without elicitation. */
  elicitation?: ElicitationAnswer | null;
  clientInfo?: { name: string; version: string };
}

export async function connectInMemory(
  ctx: AppContext,
  options: ServerOptions = {},
  clientOptions: ClientOptions = {},
): Promise<Connected> {
  const server = createServer(ctx, options);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const answer = clientOptions.elicitation === undefined ? confirmEverything : clientOptions.elicitation;
  const client = new Client(clientOptions.clientInfo ?? { name: "customer-mcp-tests", version: "0.0.0" }, {
    capabilities: answer ? { elicitation: { form: {} } } : {},
  });
  if (answer) client.setRequestHandler(ElicitRequestSchema, (request) => answer(request.params));
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** Calls a tool and returns the result typed as a plain CallToolResult. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The error payload of a failed call (the JSON text the boundary writes). */
export function errorOf(
  result: CallToolResult,
): { error_code: string; message: string; next_step?: string } & Record<string, unknown> {
  if (!result.isError)
    throw new Error(`expected an error result, got ${JSON.stringify(result.structuredContent)}`);
  const first = result.content[0];
  if (first?.type !== "text") throw new Error("error result has no text content");
  return JSON.parse(first.text);
}
