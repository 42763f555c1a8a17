// The JSON-RPC side of the error boundary, for requests that have no tool result to carry an error (resource
// reads, prompts): the same safe message as a tool error, as an McpError with a fitting code.
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { AppError, UserInputError } from "../errors.js";
import type { ErrorPayload } from "../pipeline/boundary.js";

/** JSON-RPC code the MCP spec assigns to "resource not found". */
export const RESOURCE_NOT_FOUND = -32002;

/** The McpError for a failed call whose payload the pipeline has already built (and logged). */
export function toMcpError(error: unknown, payload: ErrorPayload, notFoundMessage?: string): McpError {
  if (notFoundMessage && error instanceof AppError && error.code === "not_found") {
    return new McpError(RESOURCE_NOT_FOUND, notFoundMessage);
  }
  const code = error instanceof UserInputError ? ErrorCode.InvalidParams : ErrorCode.InternalError;
  return new McpError(code, `${payload.message}${payload.next_step ? ` ${payload.next_step}` : ""}`, {
    error_code: payload.error_code,
  });
}
