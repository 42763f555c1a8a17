// RFC 9728 protected-resource metadata: the document that tells an MCP client which authorization server issues
// tokens for this server and which scopes exist, and the well-known URLs it is served at.
import { ConfigurationError } from "../errors.js";
import { SCOPES, type Scope } from "../policy/access.js";
import { prefixedScope } from "./scopes.js";
import { checkFetchUrl } from "./urls.js";

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ["header"];
  resource_name: string;
  resource_documentation?: string;
}

export interface ResourceMetadataOptions {
  /** The canonical URL of the MCP endpoint (CUSTOMER_MCP_PUBLIC_URL), the resource identifier. */
  resource: string;
  /** The authorization server's issuer identifier. */
  issuer: string;
  /** Defaults to every scope; pass the operator's ceiling to advertise only what can be granted. */
  scopes?: readonly Scope[];
  scopePrefix?: string;
  resourceName?: string;
  documentationUrl?: string;
}

/** The resource URL parsed; it must be absolute, https (http on loopback) and without a fragment (RFC 9728 1.2). */
function resourceUrl(resource: string): URL {
  const url = checkFetchUrl(resource, "The public URL");
  if (typeof url === "string") throw new ConfigurationError([url]);
  return url;
}

export function protectedResourceMetadata(options: ResourceMetadataOptions): ProtectedResourceMetadata {
  resourceUrl(options.resource);
  return {
    resource: options.resource,
    authorization_servers: [options.issuer],
    scopes_supported: (options.scopes ?? SCOPES).map((scope) => prefixedScope(scope, options.scopePrefix)),
    bearer_methods_supported: ["header"],
    resource_name: options.resourceName ?? "customer-mcp",
    ...(options.documentationUrl ? { resource_documentation: options.documentationUrl } : {}),
  };
}

/**
 * The metadata URL for a resource (RFC 9728 section 3.1): the well-known path inserted between the host and the
 * resource's path, so https://h/mcp → https://h/.well-known/oauth-protected-resource/mcp. A resource at the root
 * gives the well-known path alone. This is the URL that `resource_metadata` names in challenges.
 */
export function resourceMetadataUrl(resource: string): string {
  const url = resourceUrl(resource);
  const path = url.pathname === "/" ? "" : url.pathname;
  return `${url.origin}${WELL_KNOWN}${path}${url.search}`;
}

/**
 * The paths the HTTP server answers with the metadata: the path-inserted one, and the root one that MCP clients
 * fall back to (MCP authorization 2025-11-25, "Protected Resource Metadata Discovery Requirements").
 */
export function resourceMetadataPaths(resource: string): string[] {
  const { pathname } = new URL(resourceMetadataUrl(resource));
  return pathname === WELL_KNOWN ? [WELL_KNOWN] : [pathname, WELL_KNOWN];
}
