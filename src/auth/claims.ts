// A verified token's claims → what the server needs to know about the caller. Only the claims named here are
// read; everything else in the token (names, emails, groups) never leaves this file.
import type { JWTPayload } from "jose";
import { TokenError } from "./errors.js";

export interface VerifiedToken {
  /** `sub`: who the token is for (a person, or the client itself for client credentials). */
  readonly subject: string;
  /** The token's scope names as issued (RFC 9068 `scope`, or `scp`); map them with grantedScopes(). */
  readonly scopes: readonly string[];
  /** `client_id` (RFC 9068), or `azp` where the issuer uses that (OpenID Connect, Entra ID v2). */
  readonly clientId?: string;
  /** `jti`. */
  readonly tokenId?: string;
  /** The organisation, from the configured tenant claim (`tid` by default). */
  readonly tenant?: string;
  /** `exp`, in epoch milliseconds. */
  readonly expiresAt: number;
}

/** A subject longer than this is refused: it keys every per-caller entry in shared state. */
const MAX_SUBJECT_LENGTH = 256;
/** Control characters, and (with the u flag, where a well-formed pair is one code point) lone surrogates. */
const UNFIT_CHARACTER = /[\p{Cc}\p{Cs}]/u;

function optionalString(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    throw new TokenError("malformed", { detail: `the ${claim} claim is not a non-empty string` });
  }
  // JSON may escape half a surrogate pair (\ud800), which has no UTF-8 form, or a control character (\n):
  // neither could key state, or be named upstream or in the audit trail, without being changed into another.
  if (UNFIT_CHARACTER.test(value)) {
    throw new TokenError("malformed", { detail: `the ${claim} claim holds a control character or a lone surrogate` });
  }
  return value;
}

/**
 * Scope names from `scope` (a space-separated string, RFC 9068 and RFC 8693) or, when it is absent, from `scp`
 * (an array of names, as Okta issues, or a space-separated string, as Entra ID does).
 */
function tokenScopes(payload: JWTPayload): string[] {
  const split = (text: string) => text.split(" ").filter((name) => name !== "");
  const { scope, scp } = payload;
  if (scope !== undefined) {
    if (typeof scope !== "string") throw new TokenError("malformed", { detail: "the scope claim is not a string" });
    return split(scope);
  }
  if (scp === undefined) return [];
  if (typeof scp === "string") return split(scp);
  if (Array.isArray(scp) && scp.every((name): name is string => typeof name === "string")) {
    return scp.flatMap(split);
  }
  throw new TokenError("malformed", { detail: "the scp claim is neither a string nor an array of strings" });
}

/** The caller described by a payload whose signature, issuer, audience and times jose has checked. */
export function verifiedToken(payload: JWTPayload, tenantClaim: string): VerifiedToken {
  const subject = optionalString(payload, "sub");
  if (subject === undefined) throw new TokenError("missing_claim", { detail: "no sub claim" });
  if (subject.length > MAX_SUBJECT_LENGTH) throw new TokenError("malformed", { detail: "the sub claim is too long" });
  if (typeof payload.exp !== "number") throw new TokenError("missing_claim", { detail: "no exp claim" });
  const clientId = optionalString(payload, "client_id") ?? optionalString(payload, "azp");
  const tokenId = optionalString(payload, "jti");
  const tenant = optionalString(payload, tenantClaim);
  return {
    subject,
    scopes: tokenScopes(payload),
    expiresAt: payload.exp * 1000,
    ...(clientId === undefined ? {} : { clientId }),
    ...(tokenId === undefined ? {} : { tokenId }),
    ...(tenant === undefined ? {} : { tenant }),
  };
}
