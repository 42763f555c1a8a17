// WWW-Authenticate values for the Bearer scheme (RFC 6750 section 3, RFC 9728 section 5.1, MCP authorization
// 2025-11-25 "Error Handling"): 401 names the metadata URL so a client can find the authorization server, and says
// why a token it sent was refused; 403 says which scopes the call needs.
import type { Scope } from "../policy/access.js";
import { prefixedScope } from "./scopes.js";

export type BearerError = "invalid_request" | "invalid_token" | "insufficient_scope";

export interface BearerChallenge {
  /** From resourceMetadataUrl(publicUrl). */
  resourceMetadataUrl: string;
  error?: BearerError;
  description?: string;
  /** Space-separated scope names, as the identity provider spells them. */
  scope?: string;
}

/**
 * A quoted-string (RFC 9110 section 5.6.4): characters outside printable ASCII are dropped, which also keeps CR
 * and LF out of the header, and `"` and `\` are escaped.
 */
export function quoted(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, "");
  return `"${printable.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

export function bearerChallenge(challenge: BearerChallenge): string {
  const params: Array<[string, string]> = [["resource_metadata", challenge.resourceMetadataUrl]];
  if (challenge.error) params.push(["error", challenge.error]);
  if (challenge.description) params.push(["error_description", challenge.description]);
  if (challenge.scope) params.push(["scope", challenge.scope]);
  return `Bearer ${params.map(([name, value]) => `${name}=${quoted(value)}`).join(", ")}`;
}

/**
 * For a 401: with no token (or none in the Bearer scheme) only the metadata URL, as RFC 6750 asks for a request
 * without credentials; with a refused token also `invalid_token` and why (a TokenError's message).
 */
export function unauthorizedChallenge(resourceMetadataUrl: string, refused?: { message: string }): string {
  return bearerChallenge({
    resourceMetadataUrl,
    ...(refused ? { error: "invalid_token" as const, description: refused.message } : {}),
  });
}

/** For a 403: the scopes the call needs, prefixed as the identity provider names them. */
export function insufficientScopeChallenge(
  resourceMetadataUrl: string,
  needed: readonly Scope[],
  prefix = "",
  description = "The access token lacks a scope this call needs.",
): string {
  return bearerChallenge({
    resourceMetadataUrl,
    error: "insufficient_scope",
    description,
    scope: needed.map((scope) => prefixedScope(scope, prefix)).join(" "),
  });
}
