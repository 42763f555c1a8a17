// The stdio transport: newline-delimited JSON-RPC on stdin and stdout. Unlike the SDK's StdioServerTransport,
// every line it cannot use is answered with a JSON-RPC error and the session goes on, and an oversized line is
// counted and skipped rather than buffered, so no input can end the session or exhaust memory.
import type { Readable, Writable } from "node:stream";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, type JSONRPCMessage, JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";

/** Longest line accepted, in bytes without the newline. Tool arguments are a few KiB at most. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** Deepest nesting of arrays and objects accepted; MCP messages need a handful of levels. */
export const DEFAULT_MAX_DEPTH = 64;
/** An id longer than this is not echoed in an error: the answer would cost as much as the attack. */
const MAX_ECHOED_ID_CHARS = 256;
const NEWLINE = 0x0a;

export interface StdioTransportOptions {
  /** Lines longer than this many bytes (before the newline) are discarded and answered with "Request too large". */
  maxLineBytes?: number;
  /**
   * Messages nested deeper than this are refused before parsing: validating or serializing a deeply nested value
   * recurses, and a 200,000-level array inside a 1 MiB line overflows the stack further in.
   */
  maxDepth?: number;
}

type RequestId = string | number;

/**
 * A message from the client that was not served: answered with a JSON-RPC error (`code`), or, for a malformed
 * response, only dropped (`code` undefined). Reported to `onerror` so the operator can count them; the client
 * already has its answer, so these stay on stderr and are never mirrored back to it.
 */
export class RejectedMessageError extends Error {
  readonly code: number | undefined;

  constructor(code: number | undefined, message: string) {
    super(code === undefined ? message : `Rejected a client message (${code}): ${message}`);
    this.name = "RejectedMessageError";
    this.code = code;
  }
}

/**
 * A `Transport` over two streams (stdin and stdout by default). Invariants: a line is either delivered to
 * `onmessage` as a valid JSON-RPC message or answered with a JSON-RPC error (except a malformed response,
 * which is only reported); nothing in the data handler throws; at most `maxLineBytes` of a line is ever held;
 * while stdout is congested, stdin is paused, so answers to junk cannot pile up in memory.
 */
export class HardenedStdioServerTransport implements Transport {
  onclose?: Transport["onclose"];
  onerror?: Transport["onerror"];
  onmessage?: Transport["onmessage"];

  readonly #input: Readable;
  readonly #output: Writable;
  readonly #maxLineBytes: number;
  readonly #maxDepth: number;
  readonly #decoder = new TextDecoder("utf-8", { fatal: true });
  /** Pieces of the current line, and their total size. */
  #pieces: Buffer[] = [];
  #pendingBytes = 0;
  /** True while skipping the rest of a line that went over the cap. */
  #discarding = false;
  /** While stdout is congested: settles when it drains (or fails). Shared by every write that waits, so a
   * congested stdout holds one set of listeners however many messages queue behind it. */
  #drained: Promise<void> | undefined;
  #started = false;
  #closed = false;

  constructor(
    input: Readable = process.stdin,
    // The one place in src that writes to stdout: this transport is what stdout is reserved for.
    // eslint-disable-next-line no-restricted-properties
    output: Writable = process.stdout,
    options: StdioTransportOptions = {},
  ) {
    this.#input = input;
    this.#output = output;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    for (const [name, value] of [["maxLineBytes", this.#maxLineBytes], ["maxDepth", this.#maxDepth]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
    }
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error("HardenedStdioServerTransport already started");
    this.#started = true;
    this.#input.on("data", this.#onData);
    this.#input.on("error", this.#onStreamError);
    // Without a listener, a write to a closed stdout (EPIPE) would be an uncaught exception.
    this.#output.on("error", this.#onStreamError);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#input.off("data", this.#onData);
    this.#input.off("error", this.#onStreamError);
    // Only pause stdin if nothing else reads it.
    if (this.#input.listenerCount("data") === 0) this.#input.pause();
    this.#resetLine();
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.#write(`${JSON.stringify(message)}\n`);
  }

  /** Writes one line; resolves once the stream has taken it (at once, or after `drain`). */
  #write(line: string): Promise<void> {
    const output = this.#output;
    if (output.destroyed || output.writableEnded) {
      return Promise.reject(new Error("stdout is closed"));
    }
    if (output.write(line)) return Promise.resolve();
    // Reading stops while stdout is congested: a client that does not read cannot make us buffer answers.
    this.#input.pause();
    return this.#whenDrained();
  }

  #whenDrained(): Promise<void> {
    if (this.#drained) return this.#drained;
    const output = this.#output;
    this.#drained = new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        output.off("drain", onDrain);
        output.off("close", onClose);
        output.off("error", onError);
        this.#drained = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => {
        settle();
        if (!this.#closed) this.#input.resume();
      };
      const onClose = () => settle(new Error("stdout closed before the message was written"));
      const onError = (error: Error) => settle(error);
      output.on("drain", onDrain);
      output.on("close", onClose);
      output.on("error", onError);
    });
    return this.#drained;
  }

  readonly #onStreamError = (error: Error): void => {
    this.#report(error);
  };

  readonly #onData = (chunk: Buffer | string): void => {
    try {
      this.#consume(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    } catch (error) {
      // Not expected (every line is handled on its own); drop the partial line and keep serving.
      this.#resetLine();
      this.#discarding = false;
      this.#report(error instanceof Error ? error : new Error(String(error)));
    }
  };

  /** Splits a chunk into lines, holding at most `maxLineBytes` of an unfinished one. */
  #consume(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length && !this.#closed) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.#discarding) {
        // Counting only: the rest of an oversized line is never kept.
        if (newline !== -1) this.#discarding = false;
      } else if (this.#pendingBytes + (end - start) > this.#maxLineBytes) {
        this.#resetLine();
        this.#discarding = newline === -1;
        this.#reject(ErrorCode.InvalidRequest, `Request too large: a message may be at most ${this.#maxLineBytes} bytes.`);
      } else if (newline === -1) {
        this.#pieces.push(chunk.subarray(start, end));
        this.#pendingBytes += end - start;
      } else {
        const line = this.#pieces.length === 0
          ? chunk.subarray(start, end)
          : Buffer.concat([...this.#pieces, chunk.subarray(start, end)]);
        this.#resetLine();
        this.#handleLine(line);
      }
      if (newline === -1) return;
      start = newline + 1;
    }
  }

  #resetLine(): void {
    this.#pieces = [];
    this.#pendingBytes = 0;
  }

  #handleLine(raw: Buffer): void {
    let text: string;
    try {
      text = this.#decoder.decode(raw);
    } catch {
      this.#reject(ErrorCode.ParseError, "Parse error: the message is not valid UTF-8.");
      return;
    }
    if (text.endsWith("\r")) text = text.slice(0, -1);
    // Blank lines (a stray newline between messages) carry nothing to answer.
    if (text.trim() === "") return;

    if (nestingDepth(text) > this.#maxDepth) {
      this.#reject(ErrorCode.InvalidRequest, `Invalid Request: nested deeper than ${this.#maxDepth} levels.`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // The parser's own message quotes the input; a fixed text is enough to act on.
      this.#reject(ErrorCode.ParseError, "Parse error: the message is not valid JSON.");
      return;
    }
    if (Array.isArray(value)) {
      this.#reject(ErrorCode.InvalidRequest, "Invalid Request: batches are not supported; send one message per line.");
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      this.#rejectInvalid(value);
      return;
    }
    try {
      this.onmessage?.(parsed.data);
    } catch (error) {
      this.#report(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #rejectInvalid(value: unknown): void {
    if (value === null || typeof value !== "object") {
      this.#reject(ErrorCode.InvalidRequest, "Invalid Request: a message must be a JSON object.");
      return;
    }
    const message = value as Record<string, unknown>;
    // A malformed response is only reported: answering it could start an error ping-pong with a peer that
    // answers our answer the same way (an error with id null is itself not a valid message to some peers).
    if (!("method" in message) && ("result" in message || "error" in message)) {
      this.#report(new RejectedMessageError(undefined, "Discarded a malformed JSON-RPC response"));
      return;
    }
    const reason = message.jsonrpc !== "2.0"
      ? 'jsonrpc must be "2.0"'
      : typeof message.method !== "string"
        ? "method must be a string"
        : "not a valid JSON-RPC 2.0 request or notification";
    this.#reject(ErrorCode.InvalidRequest, `Invalid Request: ${reason}.`, readableId(message.id));
  }

  /** Answers a line that cannot be served, and reports it (without its content) to `onerror`. */
  #reject(code: ErrorCode, message: string, id: RequestId | null = null): void {
    this.#report(new RejectedMessageError(code, message));
    const answer = { jsonrpc: "2.0", id, error: { code, message } };
    this.#write(`${JSON.stringify(answer)}\n`).catch((error: unknown) => {
      this.#report(error instanceof Error ? error : new Error(String(error)));
    });
  }

  #report(error: Error): void {
    try {
      this.onerror?.(error);
    } catch {
      // An error handler that throws must not take the transport down with it.
    }
  }
}

/** The id of an invalid message when it is one JSON-RPC allows and short enough to echo; otherwise null. */
function readableId(id: unknown): RequestId | null {
  if (typeof id === "string" && id.length <= MAX_ECHOED_ID_CHARS) return id;
  if (typeof id === "number" && Number.isSafeInteger(id)) return id;
  return null;
}

/**
 * How deeply arrays and objects nest in JSON text, counting brackets outside strings. Runs before parsing; on
 * text that is not JSON the answer is meaningless but harmless, as the parse that follows rejects it.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x5b || char === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x5d || char === 0x7d) {
      depth--;
    }
  }
  return deepest;
}
