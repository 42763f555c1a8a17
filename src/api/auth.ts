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

/** A fixed API key: nothing to refresh, so a 401 is final. */
export function staticKeyAuth(apiKey: string): AuthProvider {
  const header = `Bearer ${apiKey}`;
  return {
    authorization: async () => header,
    invalidate: () => false,
  };
}
