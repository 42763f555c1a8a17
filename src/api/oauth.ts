// OAuth 2.0 client-credentials AuthProvider: gets a bearer token from the token endpoint, caches it until shortly
// before it expires, and refreshes it once for all concurrent callers, so API calls rarely wait on the endpoint.
import type { AxiosResponse } from "axios";
import type { Logger } from "pino";
import { z } from "zod";
import { type AuthProvider, HEADER_TOKEN } from "./auth.js";
import { headerString, isAxiosError, rawTextClient, sanitizedCause } from "./transport.js";
import {
  ApiAuthError,
  type ApiError,
  apiErrorFromResponse,
  apiErrorFromTransport,
  invalidResponse,
  isApiError,
} from "./errors.js";
import { parseRetryAfterMs } from "./retry.js";

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** Budget for one token request: connect, headers and body. */
  timeoutMs: number;
  /** Token refreshes are logged without the token or the secret. */
  logger: Logger;
  userAgent: string;
  /** Epoch ms; injectable so tests drive expiry without sleeping. Default Date.now. */
  now?: () => number;
  /** Refresh this long before expiry. Default 60 s, and never more than half the token's lifetime. */
  refreshMarginMs?: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 60_000;
// A token answer is a few hundred bytes; anything near this is not a token endpoint talking.
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

const TokenResponseSchema = z.object({
  // The token goes verbatim into a header, so it must be visible ASCII (no CR/LF smuggling, no spaces).
  access_token: z.string().regex(HEADER_TOKEN),
  token_type: z.string().refine((type) => type.toLowerCase() === "bearer", "token_type must be Bearer"),
  expires_in: z.number().positive(),
});

interface CachedToken {
  header: string;
  /** When to stop handing the token out and fetch a new one. */
  refreshAtMs: number;
  /** When the upstream stops accepting it (measured from when we asked, so never later than the truth). */
  expiresAtMs: number;
}

export function clientCredentialsAuth(options: ClientCredentialsOptions): AuthProvider {
  const now = options.now ?? Date.now;
  const log = options.logger.child({ component: "oauth" });
  const fetchToken = tokenFetcher(options, now, log);

  let cached: CachedToken | null = null;
  let inflight: Promise<CachedToken> | null = null;

  /** Single flight: every caller that needs a token while one is being fetched shares that one request. */
  function refresh(): Promise<CachedToken> {
    if (inflight) return inflight;
    const pending = fetchToken()
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        // Cleared on failure too, so one failed refresh never poisons later calls.
        inflight = null;
      });
    // Every caller may have aborted; a failure nobody waits for must not become an unhandled rejection.
    pending.catch(() => {});
    inflight = pending;
    return pending;
  }

  return {
    async authorization(signal?: AbortSignal): Promise<string> {
      const current = cached;
      if (current && now() < current.refreshAtMs) return current.header;
      if (signal?.aborted) throw abortError(signal);
      try {
        return (await abortable(refresh(), signal)).header;
      } catch (error) {
        // Inside the refresh margin the old token still works: an endpoint hiccup should not fail API calls.
        const cancelled = isApiError(error) && (error.code === "cancelled" || error.code === "timeout");
        if (!cancelled && current && cached === current && now() < current.expiresAtMs) {
          log.warn(
            { error_code: isApiError(error) ? error.code : undefined, valid_for_ms: current.expiresAtMs - now() },
            "oauth token refresh failed; using the current token until it expires",
          );
          return current.header;
        }
        throw error;
      }
    },
    invalidate(rejectedAuthorization?: string): boolean {
      // A 401 means the upstream no longer accepts the token (revoked, rotated, clock skew): drop it so the
      // HTTP layer's single retry asks for a fresh one. A token newer than the rejected one is kept, so a
      // burst of 401s for the same old token causes one refresh, not one each. An in-flight refresh is kept.
      if (rejectedAuthorization !== undefined && cached && cached.header !== rejectedAuthorization) return true;
      if (cached) log.debug("oauth token invalidated after a 401");
      cached = null;
      return true;
    },
  };
}

/** Builds the one function that talks to the token endpoint; it never throws anything but an ApiError. */
function tokenFetcher(options: ClientCredentialsOptions, now: () => number, log: Logger): () => Promise<CachedToken> {
  // Created on the first token request: axios is loaded lazily (see loadHttpLibrary).
  let client: ReturnType<typeof rawTextClient> | undefined;
  const http = () => (client ??= rawTextClient({
    userAgent: options.userAgent,
    maxSockets: 4,
    maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
  }));
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: options.clientId,
    client_secret: options.clientSecret,
    ...(options.scope ? { scope: options.scope } : {}),
  }).toString();

  return async () => {
    const askedAt = now();
    const started = performance.now();
    log.debug("requesting oauth token");
    try {
      const token = interpret(await post(), askedAt);
      log.info(
        { expires_in_s: Math.round((token.expiresAtMs - askedAt) / 1000), ms: elapsed(started) },
        "oauth token obtained",
      );
      return token;
    } catch (error) {
      const apiError = isApiError(error) ? error : apiErrorFromTransport("network", sanitizedCause(error));
      log.warn(
        { error_code: apiError.code, status: apiError.status, ms: elapsed(started) },
        "oauth token request failed",
      );
      throw apiError;
    }
  };

  /**
   * The request runs on its own timeout and never on a caller's signal: it is shared, so one caller giving up
   * must not fail the others (each caller stops waiting on its own, see `abortable`).
   */
  async function post(): Promise<AxiosResponse<string>> {
    // Loading the library (once per process) happens before the request's clock starts.
    const { instance } = await http();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
    try {
      return await instance.post<string>(options.tokenUrl, form, {
        signal: timeout.signal,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
    } catch (error) {
      const cause = sanitizedCause(error);
      if (/maxContentLength/.test(cause.message)) {
        throw invalidResponse(`token response larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes`, { cause });
      }
      const timedOut =
        timeout.signal.aborted ||
        (isAxiosError(error) && (error.code === "ECONNABORTED" || error.code === "ETIMEDOUT"));
      throw apiErrorFromTransport(timedOut ? "timeout" : "network", cause);
    } finally {
      clearTimeout(timer);
    }
  }

  function interpret(response: AxiosResponse<string>, askedAt: number): CachedToken {
    const requestId = headerString(response.headers["x-request-id"]);
    const raw = typeof response.data === "string" ? response.data : "";
    const status = response.status;
    if (status < 200 || status >= 300) {
      const retryAfterMs = parseRetryAfterMs(headerString(response.headers["retry-after"]), now());
      throw tokenErrorFromResponse(status, raw, requestId, retryAfterMs);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      // Not the SyntaxError as cause: its message quotes the body, which may hold a token.
      throw invalidResponse("token endpoint sent malformed JSON", { status, requestId });
    }
    const parsed = TokenResponseSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? issue.path.join(".") : "body";
      // Names the field only; the value could be the token itself.
      throw invalidResponse(`token endpoint field \`${field}\`: ${issue?.code ?? "invalid"}`, { status, requestId });
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    // Capped at half the lifetime so a short-lived token is still reused rather than refetched on every call.
    const marginMs = Math.min(Math.max(0, options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS), lifetimeMs / 2);
    return {
      header: `Bearer ${parsed.data.access_token}`,
      refreshAtMs: askedAt + lifetimeMs - marginMs,
      expiresAtMs: askedAt + lifetimeMs,
    };
  }
}

/**
 * Token endpoints answer with OAuth error bodies (`{"error": "invalid_client"}`), and RFC 6749 lets them reject
 * client credentials with 400 as well as 401: map those to the same auth errors the API itself produces.
 */
function tokenErrorFromResponse(
  status: number,
  raw: string,
  requestId: string | undefined,
  retryAfterMs: number | undefined,
): ApiError {
  const oauthError = oauthErrorCode(raw);
  if (status === 400 && (oauthError === "invalid_client" || oauthError === "unauthorized_client")) {
    return new ApiAuthError("authentication_failed", "The customer API rejected this server's credentials.", {
      status,
      requestId,
      nextStep: "Tell the user an operator must check the server's OAuth client credentials; retrying will not help.",
    });
  }
  if (status === 400 && oauthError === "invalid_scope") {
    return new ApiAuthError("permission_denied", "The customer API does not grant the requested OAuth scope.", {
      status,
      requestId,
      nextStep: "Ask an operator to check the configured OAuth scope.",
    });
  }
  return apiErrorFromResponse({ status, body: undefined, requestId, retryAfterMs });
}

function oauthErrorCode(raw: string): string | undefined {
  try {
    const body: unknown = JSON.parse(raw);
    if (typeof body !== "object" || body === null) return undefined;
    const error = (body as { error?: unknown }).error;
    return typeof error === "string" ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Stops this caller waiting when its signal aborts; the shared refresh carries on for everyone else. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** A signal aborted by `AbortSignal.timeout` (reason TimeoutError) is a timeout; anything else, a cancellation. */
function abortError(signal: AbortSignal): ApiError {
  const reason: unknown = signal.reason;
  const timedOut = reason instanceof Error && reason.name === "TimeoutError";
  return apiErrorFromTransport(timedOut ? "timeout" : "cancelled", reason);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
