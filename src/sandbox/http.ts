// HTTP plumbing shared by every route: the error type and its contract body, replies, body reading,
// request ids and URL splitting.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

export type ErrorType =
  | "invalid_request"
  | "authentication_failed"
  | "permission_denied"
  | "not_found"
  | "conflict"
  | "idempotency_conflict"
  | "refund_exceeds_remaining"
  | "rate_limited"
  | "internal_error"
  | "unavailable";

/** An expected failure: becomes the contract error body. Anything else thrown becomes a bare 500. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly param?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what: string, param?: string) =>
  new ApiError(404, "not_found", `No such ${what}.`, param);
export const invalid = (message: string, param?: string) =>
  new ApiError(400, "invalid_request", message, param);
export const conflict = (message: string) => new ApiError(409, "conflict", message);

/**
 * The error type an injected or unexpected status answers with. 408 maps to `unavailable`: like 502-504 it
 * says "the server did not finish, retry", and the contract has no closer type.
 */
export function errorTypeForStatus(status: number): ErrorType {
  switch (status) {
    case 401:
      return "authentication_failed";
    case 403:
      return "permission_denied";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 429:
      return "rate_limited";
    case 408:
    case 502:
    case 503:
    case 504:
      return "unavailable";
    default:
      return status >= 500 ? "internal_error" : "invalid_request";
  }
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON body; ignored when `text` is set. */
  json?: unknown;
  text?: string;
  contentType?: string;
}

export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function errorReply(err: ApiError, requestId: string): Reply {
  const error: Record<string, string> = { type: err.type, message: err.message };
  if (err.param !== undefined) error.param = err.param;
  error.request_id = requestId;
  return { status: err.status, json: { error }, headers: { ...err.headers } };
}

export interface EncodedReply {
  contentType: string;
  body: Buffer;
}

export function encodeReply(reply: Reply): EncodedReply {
  if (reply.text !== undefined) {
    return {
      contentType: reply.contentType ?? "text/plain; charset=utf-8",
      body: Buffer.from(reply.text, "utf8"),
    };
  }
  return {
    contentType: reply.contentType ?? "application/json; charset=utf-8",
    body: Buffer.from(JSON.stringify(reply.json ?? null), "utf8"),
  };
}

export class BodyTooLargeError extends Error {}

/**
 * Reads the whole body. Past `limit` it keeps draining (so the client still gets the 413 rather than a reset)
 * but stores nothing; far past it, it gives up on the socket.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit * 16) {
        req.socket.destroy();
        return;
      }
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on("end", () => (tooLarge ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("request aborted"));
    });
  });
}

const PRINTABLE_ID = /^[\x20-\x7e]{1,200}$/;

/** Echoes a sane client request id; anything else gets a fresh one. */
export function pickRequestId(header: string | string[] | undefined): string {
  if (typeof header === "string" && PRINTABLE_ID.test(header)) return header;
  // randomUUID draws from a cached entropy pool: far cheaper per request than randomBytes.
  return `req_${randomUUID().replaceAll("-", "")}`;
}

export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  return { path, query: new URLSearchParams(q === -1 ? "" : url.slice(q + 1)) };
}

/** Parses a JSON request body that must be an object; an empty body counts as `{}`. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw invalid("The request body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}
