// Who is calling, from the request's credentials. The MCP endpoint asks an Authenticator and either gets an
// identity or the challenge to answer with; how tokens are checked lives behind it (OAuth: src/auth/), so the
// endpoint is the same with and without tokens.
import type { CallerIdentity } from "../../pipeline/principal.js";
import type { Scope } from "../../policy/access.js";

export type Authentication =
  | { readonly ok: true; readonly identity: CallerIdentity }
  | {
    readonly ok: false;
    /** 401 (no or a bad token), 400 (a malformed request), 503 (the issuer's keys are out of reach: retry). */
    readonly status: 400 | 401 | 503;
    /** The WWW-Authenticate header. */
    readonly challenge: string;
    /**
     * Error code for the body: `invalid_token`, `invalid_request`, `temporarily_unavailable`, or `missing_token`
     * when no token came (RFC 6750 gives that case no code, so the challenge carries none; the body names it).
     */
    readonly error: string;
    /** Safe to show and to log: never the token. */
    readonly description: string;
  };

/** What an authenticator reads of a request. */
export interface Credentials {
  /** The Authorization header (every value, when the client sent several). */
  readonly authorization: string | readonly string[] | undefined;
  /** The request's path and query, where a token must never be. */
  readonly url: string | undefined;
}

export interface Authenticator {
  /** Checks the request's credentials. */
  authenticate(credentials: Credentials): Promise<Authentication>;
  /** The WWW-Authenticate header of a 403 for a token that lacks `scopes` (as our scope names). */
  insufficientScope(scopes: readonly Scope[]): string;
  /** RFC 9728 protected-resource metadata, served under /.well-known; undefined without OAuth. */
  readonly metadata?: object;
  /** Whether tokens can be checked now (the issuer's keys are at hand), for /readyz. */
  ready(): Promise<boolean>;
}

/**
 * CUSTOMER_MCP_HTTP_AUTH=none: nobody is checked; every request acts for the configured subject with the
 * operator's grant. Configuration only allows it on a loopback address.
 */
export function developmentAuthenticator(subject: string): Authenticator {
  const identity: CallerIdentity = { subject };
  return {
    authenticate: async () => ({ ok: true, identity }),
    insufficientScope: () => "",
    ready: async () => true,
  };
}
