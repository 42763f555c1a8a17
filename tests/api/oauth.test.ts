// The OAuth client-credentials provider against the real sandbox token endpoint: caching, single flight,
// refresh on an injected clock, invalidation, typed failures, cancellation, and secrets kept out of logs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiAuthError, ApiError } from "../../src/api/errors.js";
import { type ClientCredentialsOptions, clientCredentialsAuth } from "../../src/api/oauth.js";
import {
  SANDBOX_CLIENT_ID,
  type Sandbox,
  startSandbox,
} from "../../src/sandbox/index.js";
import { type CapturedLogs, captureLogs } from "../helpers/logs.js";
import { manualClock } from "../sandbox/helpers.js";

const TOKEN_PATH = "/oauth/token";
const TTL_SECONDS = 300;
const clock = manualClock();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    clock: clock.now,
    tokenTtlSeconds: TTL_SECONDS,
    counts: { customers: 3, transactions: 10, tickets: 6 },
  });
});
afterEach(() => {
  sandbox.faults.clear();
  sandbox.requests.clear();
});
afterAll(() => sandbox.close());

function provider(target: Sandbox = sandbox, overrides: Partial<ClientCredentialsOptions> = {}) {
  const logs = captureLogs("debug");
  const auth = clientCredentialsAuth({
    tokenUrl: `${target.url}${TOKEN_PATH}`,
    clientId: SANDBOX_CLIENT_ID,
    clientSecret: target.clientSecret,
    timeoutMs: 2_000,
    logger: logs.logger,
    userAgent: "customer-mcp-tests",
    now: clock.now,
    ...overrides,
  });
  return { auth, logs };
}

function tokenRequests(target: Sandbox = sandbox): number {
  return target.requests.count({ method: "POST", path: TOKEN_PATH });
}

/** Status of a real API call made with the given Authorization header. */
async function segmentsStatus(header: string, target: Sandbox = sandbox): Promise<number> {
  const res = await fetch(`${target.url}/v1/segments`, { headers: { Authorization: header } });
  await res.arrayBuffer();
  return res.status;
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** Everything about an error that could reach a model or a log. */
function errorText(error: ApiError): string {
  const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : String(error.cause);
  return [error.message, error.nextStep ?? "", cause, JSON.stringify(error)].join("\n");
}

function expectNoSecrets(logs: CapturedLogs, tokens: string[], secret = sandbox.clientSecret): void {
  const text = logs.text();
  expect(text).not.toContain(secret);
  for (const header of tokens) expect(text).not.toContain(header.replace(/^Bearer /, ""));
}

describe("clientCredentialsAuth caching", () => {
  it("fetches a token once and reuses it across many calls", async () => {
    const { auth } = provider();
    const headers = [];
    for (let i = 0; i < 10; i++) headers.push(await auth.authorization());
    expect(new Set(headers).size).toBe(1);
    expect(headers[0]).toMatch(/^Bearer sbx_at_/);
    expect(tokenRequests()).toBe(1);
    expect(await segmentsStatus(headers[0] ?? "")).toBe(200);
  });

  it("sends one token request for 20 concurrent callers", async () => {
    const { auth } = provider();
    const headers = await Promise.all(Array.from({ length: 20 }, () => auth.authorization()));
    expect(new Set(headers).size).toBe(1);
    expect(tokenRequests()).toBe(1);
  });

  it("refreshes the token 60 s before it expires, while the old one is still accepted", async () => {
    const { auth } = provider();
    const first = await auth.authorization();
    clock.advance((TTL_SECONDS - 60) * 1000 - 1);
    expect(await auth.authorization()).toBe(first);
    expect(tokenRequests()).toBe(1);

    clock.advance(1);
    const second = await auth.authorization();
    expect(second).not.toBe(first);
    expect(tokenRequests()).toBe(2);
    // Refreshed early: the upstream would still have taken the old token.
    expect(await segmentsStatus(first)).toBe(200);
    expect(await segmentsStatus(second)).toBe(200);
  });

  it("caps the refresh margin at half the lifetime of a short-lived token", async () => {
    const shortLived = await startSandbox({ clock: clock.now, tokenTtlSeconds: 60, counts: { customers: 3 } });
    try {
      const { auth } = provider(shortLived, { refreshMarginMs: 120_000 });
      const first = await auth.authorization();
      clock.advance(30_000 - 1);
      expect(await auth.authorization()).toBe(first);
      clock.advance(1);
      expect(await auth.authorization()).not.toBe(first);
      expect(tokenRequests(shortLived)).toBe(2);
    } finally {
      await shortLived.close();
    }
  });
});

describe("clientCredentialsAuth invalidate", () => {
  it("drops the cached token and reports that a retry can succeed", async () => {
    const { auth } = provider();
    const first = await auth.authorization();
    expect(auth.invalidate()).toBe(true);
    const second = await auth.authorization();
    expect(second).not.toBe(first);
    expect(tokenRequests()).toBe(2);
  });

  it("gets a token that works after the old one was revoked and answered 401", async () => {
    const { auth } = provider();
    const revoked = await auth.authorization();
    sandbox.revokeTokens();
    expect(await segmentsStatus(revoked)).toBe(401);

    expect(auth.invalidate()).toBe(true);
    const fresh = await auth.authorization();
    expect(fresh).not.toBe(revoked);
    expect(await segmentsStatus(fresh)).toBe(200);
  });
});

describe("clientCredentialsAuth failures", () => {
  it("reports authentication_failed for a wrong client secret and never reveals the secret", async () => {
    const wrongSecret = "not-the-sandbox-secret-7f3a9c";
    const { auth, logs } = provider(sandbox, { clientSecret: wrongSecret });
    const error = await failure(auth.authorization());
    expect(error).toBeInstanceOf(ApiAuthError);
    expect(error.code).toBe("authentication_failed");
    expect(error.status).toBe(401);
    expect(errorText(error)).not.toContain(wrongSecret);
    expect(logs.text()).toContain("oauth token request failed");
    expectNoSecrets(logs, [], wrongSecret);
  });

  it("reports backend_unavailable for a 503 and succeeds on the next call", async () => {
    sandbox.faults.add({ kind: "status", status: 503, path: TOKEN_PATH, times: 1 });
    const { auth } = provider();
    const error = await failure(auth.authorization());
    expect(error.code).toBe("backend_unavailable");
    expect(error.transient).toBe(true);

    const header = await auth.authorization();
    expect(await segmentsStatus(header)).toBe(200);
    expect(tokenRequests()).toBe(2);
  });

  it("reports upstream_invalid for a malformed token answer and succeeds on the next call", async () => {
    sandbox.faults.add({ kind: "malformed_json", path: TOKEN_PATH, times: 1 });
    const { auth } = provider();
    const error = await failure(auth.authorization());
    expect(error.code).toBe("upstream_invalid");
    expect(await auth.authorization()).toMatch(/^Bearer sbx_at_/);
  });

  it("reports backend_unavailable when the token endpoint cannot be reached", async () => {
    const gone = await startSandbox({ counts: { customers: 3 } });
    const url = gone.url;
    await gone.close();
    const { auth } = provider(sandbox, { tokenUrl: `${url}${TOKEN_PATH}` });
    const error = await failure(auth.authorization());
    expect(error.code).toBe("backend_unavailable");
    expect(errorText(error)).not.toContain(sandbox.clientSecret);
  });

  it("reports timeout when the token endpoint is slower than timeoutMs", async () => {
    sandbox.faults.add({ kind: "latency", latencyMs: 1_000, path: TOKEN_PATH, times: 1 });
    const { auth } = provider(sandbox, { timeoutMs: 100 });
    const error = await failure(auth.authorization());
    expect(error.code).toBe("timeout");
  });

  it("keeps using the current token inside the refresh margin when the refresh fails", async () => {
    const { auth, logs } = provider();
    const current = await auth.authorization();
    clock.advance((TTL_SECONDS - 30) * 1000);
    sandbox.faults.add({ kind: "status", status: 503, path: TOKEN_PATH, times: 1 });

    expect(await auth.authorization()).toBe(current);
    expect(await segmentsStatus(current)).toBe(200);
    expect(logs.text()).toContain("using the current token until it expires");

    // The failure was not cached: the next call refreshes.
    expect(await auth.authorization()).not.toBe(current);
    expect(tokenRequests()).toBe(3);
  });
});

describe("clientCredentialsAuth cancellation", () => {
  it("rejects at once, without a token request, when the signal is already aborted", async () => {
    const { auth } = provider();
    const error = await failure(auth.authorization(AbortSignal.abort()));
    expect(error.code).toBe("cancelled");
    expect(tokenRequests()).toBe(0);
  });

  it("stops waiting promptly when the caller aborts, while the shared refresh completes for others", async () => {
    sandbox.faults.add({ kind: "latency", latencyMs: 600, path: TOKEN_PATH, times: 1 });
    const { auth } = provider();
    const controller = new AbortController();
    const waiting = auth.authorization(controller.signal);
    const other = auth.authorization();
    const started = performance.now();
    controller.abort();
    const error = await failure(waiting);
    expect(error.code).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(300);

    expect(await other).toMatch(/^Bearer sbx_at_/);
    expect(await auth.authorization()).toBe(await other);
    expect(tokenRequests()).toBe(1);
  });

  it("reports timeout when the caller's signal is a timeout signal", async () => {
    sandbox.faults.add({ kind: "latency", latencyMs: 600, path: TOKEN_PATH, times: 1 });
    const { auth } = provider();
    const error = await failure(auth.authorization(AbortSignal.timeout(20)));
    expect(error.code).toBe("timeout");
  });
});

describe("clientCredentialsAuth logging", () => {
  it("logs refreshes but never the client secret or any access token", async () => {
    const { auth, logs } = provider();
    const seen = [await auth.authorization()];
    clock.advance(TTL_SECONDS * 1000);
    seen.push(await auth.authorization());
    auth.invalidate();
    seen.push(await auth.authorization());
    sandbox.faults.add({ kind: "malformed_json", path: TOKEN_PATH, times: 1 });
    auth.invalidate();
    await failure(auth.authorization());
    seen.push(await auth.authorization());

    expect(new Set(seen).size).toBe(4);
    const messages = logs.lines().map((line) => line.msg);
    expect(messages.filter((msg) => msg === "oauth token obtained")).toHaveLength(4);
    expect(messages).toContain("oauth token request failed");
    expectNoSecrets(logs, seen);
  });
});
