// The access token of a request, read strictly (RFC 6750 section 2.1, RFC 9110 section 11): from the one
// Authorization header, in the Bearer scheme (case-insensitive), in token68 syntax. A token in the query string
// (`access_token`, RFC 6750 section 2.3) is refused, as the MCP authorization spec requires, even next to a good
// header: a URL with a token in it ends up in proxy and access logs.

/** Longer tokens are refused before any parsing; real ones are a few kB even with many claims. */
export const MAX_TOKEN_LENGTH = 16_384;

export type BearerCredentials =
  /** No credentials in the Bearer scheme: answer 401 with the challenge alone. */
  | { kind: "none" }
  | { kind: "token"; token: string }
  /** A malformed request: answer 400 with `invalid_request` and this description (safe to send). */
  | { kind: "invalid"; description: string };

export interface BearerRequest {
  /** The Authorization header: a string, or every value when the server keeps duplicates (headersDistinct). */
  authorization: string | readonly string[] | undefined;
  /** The request URL (absolute, or a path with its query). */
  url?: string;
}

const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

function tokenInQuery(url: string): boolean {
  let search: URLSearchParams;
  try {
    search = new URL(url, "http://localhost").searchParams;
  } catch {
    return false;
  }
  return search.has("access_token");
}

export function bearerCredentials(request: BearerRequest): BearerCredentials {
  if (request.url !== undefined && tokenInQuery(request.url)) {
    return { kind: "invalid", description: "Access tokens are accepted in the Authorization header only, never in the URL." };
  }
  const values = typeof request.authorization === "string" ? [request.authorization] : request.authorization ?? [];
  if (values.length === 0) return { kind: "none" };
  if (values.length > 1) return { kind: "invalid", description: "Send one Authorization header." };
  const match = CREDENTIALS.exec(values[0]?.trim() ?? "");
  if (!match) return { kind: "invalid", description: "The Authorization header is malformed." };
  const [, scheme = "", credentials] = match;
  if (scheme.toLowerCase() !== "bearer") return { kind: "none" };
  if (credentials === undefined || credentials === "") {
    return { kind: "invalid", description: "The Bearer scheme needs a token." };
  }
  if (credentials.length > MAX_TOKEN_LENGTH) return { kind: "invalid", description: "The access token is too long." };
  if (!TOKEN68.test(credentials)) {
    return { kind: "invalid", description: "The access token is not in token68 syntax (one token, no spaces or commas)." };
  }
  return { kind: "token", token: credentials };
}
