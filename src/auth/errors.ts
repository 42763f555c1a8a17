// Why an access token was refused. The message of a TokenError is one fixed sentence per reason: safe to log and
// to send back as the `error_description` of a WWW-Authenticate challenge, because it never quotes the token nor
// a claim value the sender chose. What went wrong in detail (a jose message, a failed fetch) is in `detail`,
// which is for the log only.

export type TokenFailure =
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "wrong_type"
  | "missing_claim"
  | "bad_signature"
  | "unknown_key"
  | "algorithm_not_allowed"
  | "keys_unavailable";

const DESCRIPTIONS: Record<TokenFailure, string> = {
  malformed: "The access token is not a well-formed JWT, or a claim it carries (sub, scope, scp, client_id, azp, jti, tenant) has the wrong type, length or characters.",
  expired: "The access token has expired.",
  not_yet_valid: "The access token is not valid yet.",
  wrong_issuer: "The access token was issued by an authorization server this resource does not trust.",
  wrong_audience: "The access token was issued for another resource.",
  wrong_type: "The token is not an access token.",
  missing_claim: "The access token lacks a required claim (sub or exp).",
  bad_signature: "The access token signature is invalid.",
  unknown_key: "The access token is signed with a key the authorization server does not publish.",
  algorithm_not_allowed: "The access token is signed with an algorithm this resource does not accept.",
  keys_unavailable: "The authorization server's signing keys could not be obtained; try again shortly.",
};

export interface TokenErrorOptions {
  /** Log-only detail: a library message, a URL, a status. Never the token. */
  detail?: string;
}

export class TokenError extends Error {
  readonly reason: TokenFailure;
  /**
   * True when the token itself may be fine and the fault is on this side (the keys could not be had): the caller
   * should answer 503 and the client retry, not re-authenticate.
   */
  readonly retryable: boolean;
  readonly detail: string | undefined;

  constructor(reason: TokenFailure, options: TokenErrorOptions = {}) {
    super(DESCRIPTIONS[reason]);
    this.name = "TokenError";
    this.reason = reason;
    this.retryable = reason === "keys_unavailable";
    this.detail = options.detail;
  }
}
