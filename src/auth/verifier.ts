// createTokenVerifier: checks a bearer access token the way an OAuth 2.1 resource server must (MCP authorization
// 2025-11-25, "Token Handling"): a JWT signed by one of the issuer's published keys, with an allowed asymmetric
// algorithm, from the configured issuer, for this resource (RFC 8707 audience), not expired and already valid,
// with a subject. The result says who the caller is and which scope names the token carries; what those grant
// is decided by grantedScopes() and the operator's ceiling (scopes.ts).
import { errors, jwtVerify, type JWTVerifyResult } from "jose";
import type { Logger } from "pino";
import { ConfigurationError } from "../errors.js";
import { MAX_TOKEN_LENGTH } from "./bearer.js";
import { type VerifiedToken, verifiedToken } from "./claims.js";
import { TokenError, type TokenFailure } from "./errors.js";
import { createKeySource } from "./keys.js";
import { checkFetchUrl } from "./urls.js";

/** Signature algorithms that may be allowed: asymmetric only, so no shared secret and no `none`. */
const ASYMMETRIC_ALGORITHMS = [
  "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/**
 * What identity providers sign access tokens with; the rest must be asked for. Ed25519 is EdDSA under its fully
 * specified name (RFC 9864), which oidc-provider and newer issuers use.
 */
const DEFAULT_ALGORITHMS: readonly AsymmetricAlgorithm[] = ["RS256", "PS256", "ES256", "EdDSA", "Ed25519"];

export interface TokenVerifierOptions {
  /** The issuer identifier, exactly as the tokens' `iss` and the metadata's `issuer` spell it. */
  issuer: string;
  /** The resource's canonical URL (or the configured override); a token must name one of them in `aud`. */
  audience: string | readonly string[];
  /** The key set's URL; without it, jwks_uri is discovered from the issuer's metadata. */
  jwksUrl?: string;
  algorithms?: readonly AsymmetricAlgorithm[];
  /** Leeway for exp and nbf against clock skew between the issuer and this server. Default 30 s. */
  clockToleranceSec?: number;
  /** Per request to the issuer (metadata, key set). Default 5 s. */
  timeoutMs?: number;
  /** Least time between two key set refetches caused by an unknown `kid`. Default 30 s. */
  jwksCooldownMs?: number;
  /** Keys are refetched once they are this old. Default 10 min. */
  jwksMaxAgeMs?: number;
  /** While the issuer cannot be reached, keys this old are still used. Default 1 h. */
  jwksMaxStaleMs?: number;
  /** The claim that names the caller's organisation. Default `tid` (Entra ID). */
  tenantClaim?: string;
  /**
   * Accept only `typ: at+jwt` (RFC 9068 section 4). Off by default because Entra ID and Okta sign access tokens
   * with `typ: JWT`; either way a token typed as something else (an ID token's `id_token+jwt`, a logout token,
   * a DPoP proof) is refused.
   */
  requireAccessTokenType?: boolean;
  /** Epoch milliseconds; tests pass a manual clock. */
  clock?: { now(): number };
  logger: Logger;
}

export interface TokenVerifier {
  /** The caller the token speaks for, or a TokenError saying why not. Never logs or echoes the token. */
  verify(token: string): Promise<VerifiedToken>;
  /** Whether the issuer's keys can be had (for /readyz). Never throws. */
  ready(): Promise<boolean>;
}

function validOptions(options: TokenVerifierOptions): { jwksUrl?: URL; algorithms: AsymmetricAlgorithm[] } {
  const problems: string[] = [];
  const issuer = checkFetchUrl(options.issuer, "The OAuth issuer");
  if (typeof issuer === "string") problems.push(issuer);
  else if (issuer.search !== "") problems.push("The OAuth issuer must not have a query.");
  const jwksUrl = options.jwksUrl === undefined ? undefined : checkFetchUrl(options.jwksUrl, "The JWKS URL");
  if (typeof jwksUrl === "string") problems.push(jwksUrl);
  const audiences = typeof options.audience === "string" ? [options.audience] : options.audience;
  if (audiences.length === 0 || audiences.some((audience) => audience === "")) {
    problems.push("The OAuth audience must be given.");
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  const known = ASYMMETRIC_ALGORITHMS as readonly string[];
  const refused = algorithms.filter((algorithm) => !known.includes(algorithm));
  if (refused.length > 0 || algorithms.length === 0) {
    problems.push(`Token algorithms must be asymmetric signature algorithms (${ASYMMETRIC_ALGORITHMS.join(", ")}).`);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return { ...(jwksUrl === undefined ? {} : { jwksUrl: jwksUrl as URL }), algorithms };
}

/** jose's claim names → our reasons; other claim failures are missing or malformed claims. */
const CLAIM_FAILURES: Record<string, TokenFailure> = {
  iss: "wrong_issuer",
  aud: "wrong_audience",
  nbf: "not_yet_valid",
};

/** A jose failure (or our own key source's) → the TokenError that says why, with jose's words as detail. */
function tokenErrorOf(error: unknown): TokenError {
  if (error instanceof TokenError) return error;
  // jose messages are fixed strings about the check that failed; they never quote the token.
  const detail = error instanceof Error ? error.message : String(error);
  const reason = ((): TokenFailure => {
    if (error instanceof errors.JWTExpired) return "expired";
    if (error instanceof errors.JWTClaimValidationFailed) {
      return CLAIM_FAILURES[error.claim] ?? (error.reason === "missing" ? "missing_claim" : "malformed");
    }
    if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm_not_allowed";
    if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
      return "unknown_key";
    }
    return "malformed";
  })();
  return new TokenError(reason, { detail });
}

const ACCESS_TOKEN_TYPES = new Set(["at+jwt"]);
const LENIENT_TYPES = new Set(["at+jwt", "jwt"]);

/** `typ` compared as a media type: case-insensitive, `application/` optional (RFC 7515 section 4.1.9). */
function checkType(result: JWTVerifyResult, strict: boolean): void {
  const typ = result.protectedHeader.typ;
  const normalized = typ?.toLowerCase().replace(/^application\//, "");
  if (normalized === undefined ? strict : !(strict ? ACCESS_TOKEN_TYPES : LENIENT_TYPES).has(normalized)) {
    throw new TokenError("wrong_type", { detail: `typ ${typ === undefined ? "absent" : JSON.stringify(typ.slice(0, 40))}` });
  }
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { jwksUrl, algorithms } = validOptions(options);
  const clock = options.clock ?? { now: () => Date.now() };
  const audience = typeof options.audience === "string" ? options.audience : [...options.audience];
  const logger = options.logger.child({ component: "oauth" });
  const keys = createKeySource({
    issuer: options.issuer,
    ...(jwksUrl ? { jwksUrl } : {}),
    timeoutMs: options.timeoutMs ?? 5_000,
    cooldownMs: options.jwksCooldownMs ?? 30_000,
    maxAgeMs: options.jwksMaxAgeMs ?? 600_000,
    maxStaleMs: options.jwksMaxStaleMs ?? 3_600_000,
    now: () => clock.now(),
    logger,
  });
  const tenantClaim = options.tenantClaim ?? "tid";
  const strictType = options.requireAccessTokenType ?? false;

  return {
    async verify(token) {
      if (typeof token !== "string" || token === "" || token.length > MAX_TOKEN_LENGTH) {
        throw new TokenError("malformed", { detail: "empty or too long" });
      }
      try {
        const result = await jwtVerify(token, keys.resolve, {
          issuer: options.issuer,
          audience,
          algorithms,
          clockTolerance: options.clockToleranceSec ?? 30,
          currentDate: new Date(clock.now()),
          requiredClaims: ["exp", "sub"],
        });
        checkType(result, strictType);
        return verifiedToken(result.payload, tenantClaim);
      } catch (error) {
        // Logged by the caller, which knows the request (src/transports/http/oauth.ts): once per refusal.
        throw tokenErrorOf(error);
      }
    },
    ready: () => keys.ready(),
  };
}
