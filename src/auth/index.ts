// The token side of the HTTP transport: verifying access tokens, mapping their scopes, and the RFC 9728 metadata
// and WWW-Authenticate challenges. Self-contained: it imports no transport and no MCP SDK, and keeps no
// module-level state (every verifier owns its keys).
export { type BearerCredentials, type BearerRequest, bearerCredentials } from "./bearer.js";
export {
  type BearerChallenge,
  type BearerError,
  bearerChallenge,
  insufficientScopeChallenge,
  unauthorizedChallenge,
} from "./challenge.js";
export type { VerifiedToken } from "./claims.js";
export { TokenError, type TokenFailure } from "./errors.js";
export {
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
  type ResourceMetadataOptions,
  resourceMetadataPaths,
  resourceMetadataUrl,
} from "./metadata.js";
export { grantedScopes } from "./scopes.js";
export { type AsymmetricAlgorithm, createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from "./verifier.js";
