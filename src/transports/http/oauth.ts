// CUSTOMER_MCP_HTTP_AUTH=oauth: the MCP endpoint as an OAuth 2.1 resource server (MCP authorization 2025-11-25).
// A request needs a bearer access token from the configured issuer, for this resource; the caller is its subject,
// with the scopes it grants (src/auth/). The token itself goes nowhere: the customer API is called with the
// server's own credentials and the subject in X-On-Behalf-Of.
import type { Logger } from "pino";
import {
  bearerChallenge,
  bearerCredentials,
  createTokenVerifier,
  grantedScopes,
  insufficientScopeChallenge,
  protectedResourceMetadata,
  resourceMetadataUrl,
  TokenError,
  unauthorizedChallenge,
} from "../../auth/index.js";
import type { HttpAuth, HttpSettings } from "../../config/http.js";
import type { Scope } from "../../policy/access.js";
import type { Authentication, Authenticator } from "./authenticator.js";

export function oauthAuthenticator(
  settings: HttpSettings,
  auth: Extract<HttpAuth, { kind: "oauth" }>,
  /** The scopes the protected-resource metadata lists: what the operator grants and HTTP can use. */
  advertised: readonly Scope[],
  logger: Logger,
): Authenticator {
  const log = logger.child({ component: "oauth" });
  const verifier = createTokenVerifier({
    issuer: auth.issuer,
    audience: auth.audience,
    ...(auth.jwksUrl ? { jwksUrl: auth.jwksUrl } : {}),
    logger, // the verifier names its own component: a child of `log` would name it twice on each line
  });
  const metadataUrl = resourceMetadataUrl(settings.publicUrl.href);
  const refuse = (status: 400 | 401 | 503, error: string, description: string, challenge: string): Authentication =>
    ({ ok: false, status, error, description, challenge });
  return {
    // Only what the operator grants and HTTP can use is advertised: a client asking for more would get nothing more.
    metadata: protectedResourceMetadata({
      resource: settings.publicUrl.href,
      issuer: auth.issuer,
      scopes: advertised,
      scopePrefix: auth.scopePrefix,
    }),
    async authenticate(request) {
      const credentials = bearerCredentials({ authorization: request.authorization, url: request.url });
      if (credentials.kind === "none") {
        return refuse(401, "missing_token", "This server needs an OAuth access token.", unauthorizedChallenge(metadataUrl));
      }
      if (credentials.kind === "invalid") {
        const challenge = bearerChallenge({ resourceMetadataUrl: metadataUrl, error: "invalid_request", description: credentials.description });
        return refuse(400, "invalid_request", credentials.description, challenge);
      }
      try {
        const token = await verifier.verify(credentials.token);
        return {
          ok: true,
          identity: {
            subject: token.subject,
            scopes: grantedScopes(token.scopes, auth.scopePrefix),
            ...(token.tenant ? { tenant: token.tenant } : {}),
            ...(token.clientId ? { clientId: token.clientId } : {}),
            ...(token.tokenId ? { tokenId: token.tokenId } : {}),
          },
        };
      } catch (error) {
        if (!(error instanceof TokenError)) throw error;
        log.info({ reason: error.reason, detail: error.detail }, "access token refused");
        // Keys out of reach is this server's problem, not the token's: the client should retry, not sign in again.
        if (error.retryable) return refuse(503, "temporarily_unavailable", error.message, unauthorizedChallenge(metadataUrl));
        return refuse(401, "invalid_token", error.message, unauthorizedChallenge(metadataUrl, error));
      }
    },
    insufficientScope: (scopes) => insufficientScopeChallenge(metadataUrl, scopes, auth.scopePrefix),
    ready: () => verifier.ready(),
  };
}
