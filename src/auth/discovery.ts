// Finds the issuer's jwks_uri from its metadata. The candidates and their order are the ones the MCP authorization
// spec (2025-11-25) makes clients try, so this server reads the same document its clients read: RFC 8414 first
// (path insertion for an issuer with a path), then OpenID Connect Discovery with path insertion, then OpenID
// Connect Discovery appended to the issuer. The first document that answers 200 with JSON whose `issuer` is
// exactly the configured one (RFC 8414 section 3.3, OIDC Discovery section 4.3) and names a usable jwks_uri wins.
import { checkFetchUrl } from "./urls.js";

/** The metadata URLs to try for an issuer, in order. */
export function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer);
  const at = (pathname: string) => new URL(pathname, url.origin);
  if (url.pathname === "/") {
    return [at("/.well-known/oauth-authorization-server"), at("/.well-known/openid-configuration")];
  }
  // Insertion keeps the path as it is (RFC 8414 section 3.1); appending drops a trailing slash first (OIDC
  // Discovery section 4), so https://idp/t/ gives https://idp/t/.well-known/openid-configuration.
  return [
    at(`/.well-known/oauth-authorization-server${url.pathname}`),
    at(`/.well-known/openid-configuration${url.pathname}`),
    at(`${url.pathname.replace(/\/$/, "")}/.well-known/openid-configuration`),
  ];
}

export interface Discovered {
  jwksUri: URL;
  /** The metadata document it came from. */
  metadataUrl: URL;
}

/** No candidate gave a usable document; `attempts` says, per URL, why (safe to log: URLs and statuses only). */
class DiscoveryError extends Error {
  readonly attempts: readonly string[];

  constructor(issuer: string, attempts: readonly string[]) {
    super(`No usable authorization server metadata for ${issuer}: ${attempts.join("; ")}`);
    this.name = "DiscoveryError";
    this.attempts = attempts;
  }
}

/** The document at one candidate URL: the jwks_uri, or why this candidate is no good. */
async function readCandidate(url: URL, issuer: string, timeoutMs: number): Promise<URL | string> {
  let response: Response;
  try {
    // Redirects are not followed: the document must be where the issuer's well-known URL says.
    response = await fetch(url, {
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${url.href} could not be fetched (${error instanceof Error ? error.message : String(error)}${cause})`;
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return `${url.href} answered ${response.status}`;
  }
  let document: unknown;
  try {
    document = await response.json();
  } catch {
    return `${url.href} is not JSON`;
  }
  if (typeof document !== "object" || document === null) return `${url.href} is not a JSON object`;
  const fields = document as Record<string, unknown>;
  if (fields.issuer !== issuer) {
    const named = typeof fields.issuer === "string" ? JSON.stringify(fields.issuer.slice(0, 200)) : "none";
    return `${url.href} names issuer ${named}, not ${issuer}`;
  }
  if (typeof fields.jwks_uri !== "string") return `${url.href} has no jwks_uri`;
  const jwksUri = checkFetchUrl(fields.jwks_uri, "its jwks_uri");
  return typeof jwksUri === "string" ? `${url.href}: ${jwksUri}` : jwksUri;
}

/** Tries the candidates in order (at most three requests); throws DiscoveryError when none will do. */
export async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<Discovered> {
  const attempts: string[] = [];
  for (const metadataUrl of metadataUrls(issuer)) {
    const result = await readCandidate(metadataUrl, issuer, timeoutMs);
    if (typeof result !== "string") return { jwksUri: result, metadataUrl };
    attempts.push(result);
  }
  throw new DiscoveryError(issuer, attempts);
}
