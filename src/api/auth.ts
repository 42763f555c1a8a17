// Where the bearer token comes from. The HTTP layer only asks for a header value, so a static key and an
// OAuth client-credentials flow are interchangeable behind this interface.

export interface AuthProvider {
  /** The `Authorization` header value for the next request. */
  authorization(signal?: AbortSignal): Promise<string>;
  /** Called after a 401: a provider that can obtain a fresh token drops the cached one and returns true. */
  invalidate(): boolean;
}

/** A fixed API key: nothing to refresh, so a 401 is final. */
export function staticKeyAuth(apiKey: string): AuthProvider {
  const header = `Bearer ${apiKey}`;
  return {
    authorization: async () => header,
    invalidate: () => false,
  };
}
