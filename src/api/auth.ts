// Where the bearer token comes from. The HTTP layer only asks for a header value, so a static key and an
// OAuth client-credentials flow are interchangeable behind this interface.

export interface AuthProvider {
  /** The `Authorization` header value for the next request. */
  authorization(signal?: AbortSignal): Promise<string>;
  /**
   * Called after a 401 with the header that was rejected. A provider that can obtain a fresh token drops the
   * cached one (unless a newer one already replaced it) and returns true: the request is worth one more try.
   * Without an argument, the cached token is dropped whatever it is.
   */
  invalidate(rejectedAuthorization?: string): boolean;
}

/**
 * What a bearer credential may hold: it goes verbatim into the Authorization header, so only visible ASCII.
 * Node sends each character above U+00FF as its low byte alone (a different key reaches the API, silently),
 * and CR, LF or a space could split or reshape the header.
 */
export const HEADER_TOKEN = /^[\x21-\x7e]+$/;

/** A fixed API key: nothing to refresh, so a 401 is final. Configuration refuses any other key first. */
export function staticKeyAuth(apiKey: string): AuthProvider {
  if (!HEADER_TOKEN.test(apiKey)) throw new TypeError("staticKeyAuth: the API key must be visible ASCII characters only.");
  const header = `Bearer ${apiKey}`;
  return {
    authorization: async () => header,
    invalidate: () => false,
  };
}
