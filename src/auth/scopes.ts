// The token's scope names → this server's scopes. The identity provider may name them with a prefix
// (`customer-mcp:customers:read`, docs/remote.md); with one configured, only names that carry it count, so a scope
// that another API happens to call `customers:read` grants nothing here. Names this server does not know are
// ignored: an identity provider issues scopes for many resources, and none of them is an error.
import { type AccessSettings, PROFILES, SCOPES, type Scope } from "../policy/access.js";

/** The known scopes among the token's scope names, prefix stripped, each once, in the order of SCOPES. */
export function grantedScopes(tokenScopes: readonly string[], prefix = ""): Scope[] {
  const names = new Set(
    tokenScopes.flatMap((name) => (name.startsWith(prefix) ? [name.slice(prefix.length)] : [])),
  );
  return SCOPES.filter((scope) => names.has(scope));
}

/** A scope as the identity provider names it: for challenges and the protected-resource metadata. */
export function prefixedScope(scope: Scope, prefix = ""): string {
  return `${prefix}${scope}`;
}

/**
 * The access settings for a token's caller: the operator's settings (the ceiling: its profile or explicit scopes,
 * toolsets, tool lists, read-only mode) with the scopes narrowed to those the token also grants. A token can
 * only take away from what the operator allows, never add to it.
 */
export function accessForToken(ceiling: AccessSettings, granted: readonly Scope[]): AccessSettings {
  const allowed = new Set<Scope>(ceiling.scopes ?? PROFILES[ceiling.profile]);
  return { ...ceiling, scopes: granted.filter((scope) => allowed.has(scope)) };
}
