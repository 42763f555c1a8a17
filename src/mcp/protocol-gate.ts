// The JSON-RPC rules the SDK's Protocol does not enforce, applied to every message before the SDK sees it, for
// any transport: only `initialize` and `ping` before initialization; one request per id at a time; params that
// fail the SDK's own schema for the method answered with -32602 and a short message, never handed on (the SDK
// would answer -32603 with its validation dump).
import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  ClientRequestSchema,
  ErrorCode,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { RejectedMessageError } from "../transports/stdio.js";

/** The SDK's schema of every request a client may send, by method: the same schemas its handlers parse with. */
const REQUEST_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map(
  ClientRequestSchema.options.map((schema) => [String(schema.shape.method.value), schema as z.ZodType]),
);
/** Served before `initialize` (the spec allows pings at any time). */
const BEFORE_INITIALIZE = new Set(["initialize", "ping"]);
const MAX_ISSUES = 3;
const MAX_ISSUE_CHARS = 160;

/** `1` and `"1"` are different JSON-RPC ids. */
function idKey(id: RequestId): string {
  return `${typeof id}:${String(id)}`;
}

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return "method" in message && "id" in message;
}

/** A short, printable summary of what is wrong, without the offending values. */
function describeInvalidParams(error: z.ZodError): string {
  const issues = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = issue.path[0] === "params" ? issue.path.slice(1) : issue.path;
    const text = `${path.length ? `${path.join(".")}: ` : ""}${issue.message}`.replace(/[^\x20-\x7e]/g, "?");
    return text.length > MAX_ISSUE_CHARS ? `${text.slice(0, MAX_ISSUE_CHARS)}...` : text;
  });
  const more = error.issues.length > MAX_ISSUES ? ` (and ${error.issues.length - MAX_ISSUES} more)` : "";
  return `Invalid params: ${issues.join("; ")}${more}.`;
}

/**
 * The SDK's McpError puts "MCP error <code>: " before its message and sends that message as it is; the client's
 * McpError adds the prefix again, so clients showed the code twice. The wire carries the message alone.
 */
function withoutCodePrefix(message: JSONRPCMessage): JSONRPCMessage {
  if (!("error" in message) || typeof message.error?.message !== "string") return message;
  const prefix = `MCP error ${message.error.code}: `;
  if (!message.error.message.startsWith(prefix)) return message;
  return { ...message, error: { ...message.error, message: message.error.message.slice(prefix.length) } };
}

/**
 * Wraps a transport: the SDK's Protocol connects to the gate, the gate to the real transport. Refused requests
 * are answered here with a JSON-RPC error, reported to the real transport's `onerror` as a RejectedMessageError,
 * and never reach a handler. Responses and notifications pass through.
 */
export class ProtocolGate implements Transport {
  onclose?: Transport["onclose"];
  onerror?: Transport["onerror"];
  onmessage?: Transport["onmessage"];

  readonly #inner: Transport;
  readonly #requireInitialize: boolean;
  #initialized = false;
  /** Requests handed to the SDK and not answered yet (nor cancelled), by id. */
  readonly #inFlight = new Set<string>();

  /**
   * `requireInitialize: false` for stateless HTTP, where every request meets a new server: the client
   * initialized once, on whichever replica took that request.
   */
  constructor(inner: Transport, options: { requireInitialize?: boolean } = {}) {
    this.#inner = inner;
    this.#requireInitialize = options.requireInitialize ?? true;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    const inner = this.#inner;
    // Chained, not replaced: whoever set the real transport's handlers (index.ts logs its errors) still hears.
    const ownError = inner.onerror;
    const ownClose = inner.onclose;
    inner.onerror = (error) => {
      ownError?.(error);
      this.onerror?.(error);
    };
    inner.onclose = () => {
      this.#inFlight.clear();
      ownClose?.();
      this.onclose?.();
    };
    inner.onmessage = (message, extra) => {
      if (this.#admit(message)) this.onmessage?.(message, extra);
    };
    await inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!("method" in message) && "id" in message && message.id !== undefined) this.#inFlight.delete(idKey(message.id));
    return this.#inner.send(withoutCodePrefix(message), options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** True when the message may go on to the SDK; otherwise it has been answered here. */
  #admit(message: JSONRPCMessage): boolean {
    if (!("method" in message)) return true;
    if (!isRequest(message)) {
      if (message.method === "notifications/cancelled") {
        // The SDK sends nothing for a cancelled request, so its id is free again from here on.
        const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
        if (typeof requestId === "string" || typeof requestId === "number") this.#inFlight.delete(idKey(requestId));
      }
      return true;
    }
    const { id, method } = message;
    if (this.#requireInitialize && !this.#initialized && !BEFORE_INITIALIZE.has(method)) {
      return this.#refuse(id, ErrorCode.InvalidRequest,
        "Invalid Request: the session is not initialized; send initialize first (only ping is served before it).");
    }
    if (this.#requireInitialize && method === "initialize" && this.#initialized) {
      return this.#refuse(id, ErrorCode.InvalidRequest, "Invalid Request: the session is already initialized.");
    }
    const key = idKey(id);
    if (this.#inFlight.has(key)) {
      return this.#refuse(id, ErrorCode.InvalidRequest,
        `Invalid Request: a request with id ${JSON.stringify(id).slice(0, 80)} is still in flight; give every request its own id.`);
    }
    const schema = REQUEST_SCHEMAS.get(method);
    if (schema) {
      const parsed = schema.safeParse(message);
      if (!parsed.success) return this.#refuse(id, ErrorCode.InvalidParams, describeInvalidParams(parsed.error));
    }
    // Unknown methods go on: the SDK answers them with -32601.
    if (method === "initialize") this.#initialized = true;
    this.#inFlight.add(key);
    return true;
  }

  #refuse(id: RequestId, code: ErrorCode, message: string): false {
    this.#inner.onerror?.(new RejectedMessageError(code, message));
    this.#inner.send({ jsonrpc: "2.0", id, error: { code, message } }).catch((error: unknown) => {
      this.#inner.onerror?.(error instanceof Error ? error : new Error(String(error)));
    });
    return false;
  }
}
