// The fault matrix: every upstream fault the sandbox can inject, once (transient) and for good (persistent), against
// a read tool and two write tools, through the real SDK client and server over the in-memory pair. Each case checks
// the outcome (success after retries, or the right error_code), that the call ends within its deadline, that the
// server keeps serving, and for writes that the sandbox holds exactly as many records as the outcome implies.
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import type { AppContext } from "../../src/context.js";
import type { ErrorCode } from "../../src/errors.js";
import { type FaultRule, type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { testContext, type TestContextOptions } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";
import type { RecordingTiming } from "../helpers/timing.js";
import { dataOf, oauthContext, wallClockTiming } from "./harness.js";

const SEED = 5;
const COUNTS = { customers: 12, transactions: 40, tickets: 8 };
/** Per-attempt timeout, call deadline and retries of every case (the deadline case overrides the last two). */
const TIMEOUT_MS = 250;
const CALL_TIMEOUT_MS = 1_500;
const MAX_RETRIES = 2;
/** Longer than an attempt may take: latency and slow bodies of this length always time the attempt out. */
const SLOW_MS = 600;
/** Scheduling slack on top of the deadline: a correctness bound (the call is not left hanging), not a benchmark. */
const SLACK_MS = 1_000;
/** Backoff of the first two retries with the test defaults (base 100 ms) and jitter fixed at 0.5. */
const BACKOFF = [50, 100];

let customerId: string;

const env = useSandbox({ seed: SEED, counts: COUNTS });
beforeAll(async () => {
  customerId = env.sandbox.store.customers[0]?.id ?? "";
});
afterEach(() => {
  env.sandbox.faults.clear();
  env.sandbox.requests.clear();
});

// ---- the operations under test ------------------------------------------------------------------------------------

interface Operation {
  tool: "get_customer" | "create_ticket" | "add_customer_note";
  write: boolean;
  method: "GET" | "POST";
  path(): string;
  args(tag: string): Record<string, unknown>;
  /** Records this operation has written to `target` so far. */
  written(target: Sandbox): number;
}

const OPERATIONS: Operation[] = [
  {
    tool: "get_customer",
    write: false,
    method: "GET",
    path: () => `/v1/customers/${customerId}`,
    args: () => ({ customer_id: customerId }),
    written: () => 0,
  },
  {
    tool: "create_ticket",
    write: true,
    method: "POST",
    path: () => "/v1/tickets",
    args: (tag) => ({ customer_id: customerId, subject: `Fault matrix: ${tag}`, description: `Opened under ${tag}.` }),
    written: (target) => target.store.created.tickets,
  },
  {
    tool: "add_customer_note",
    write: true,
    method: "POST",
    path: () => `/v1/customers/${customerId}/notes`,
    args: (tag) => ({ customer_id: customerId, body: `Fault matrix note: ${tag}.` }),
    written: (target) => target.store.created.notes,
  },
];

// ---- the faults -----------------------------------------------------------------------------------------------------

/** How the case reaches the API: the shared env.sandbox (API key or OAuth) or a port nobody listens on. */
type Backend = "api_key" | "oauth" | "refused" | "refused_then_back";

interface Case {
  name: string;
  backend?: Backend;
  /** Rules injected for the call under test, aimed at the operation's method and path. */
  faults?: (method: string, path: string) => FaultRule[];
  /** OAuth only: revoke every token after the warm-up call, so the call under test meets a 401. */
  revokeTokens?: boolean;
  options?: TestContextOptions;
  /** Requests the operation's route receives during the call (attempts). */
  attempts?: number;
  maxAttempts?: number;
  /** Recorded backoff / Retry-After waits. */
  sleeps?: number[];
  /** Requests to the token endpoint during the call. */
  tokenRequests?: number;
}

interface Recovers extends Case {
  /**
   * Writes only: what `replayed` says. Always false: a retry that replays the call's own committed attempt is
   * not a replay of an earlier call's write.
   */
  replayed?: boolean;
}

interface Fails extends Case {
  error: ErrorCode;
  /**
   * Writes only, when it differs from `error`: a write whose attempt may have reached the API fails as
   * `outcome_unknown`, whatever the last attempt met.
   */
  writeError?: ErrorCode;
  /** Writes only: whether the write was committed although the call failed (so repeating it must replay it). */
  committed: boolean;
  retryAfterMs?: number;
}

const rule = (kind: FaultRule["kind"], extra: Partial<FaultRule> = {}) =>
  (method: string, path: string): FaultRule[] => [{ kind, method, path, ...extra }];
const status = (code: number, extra: Partial<FaultRule> = {}) => rule("status", { status: code, ...extra });

/** Injected once (or twice): the call succeeds after retrying, and a write is written exactly once. */
const TRANSIENT: Recovers[] = [
  { name: "500 once", faults: status(500, { times: 1 }), attempts: 2, sleeps: BACKOFF.slice(0, 1), replayed: false },
  { name: "502 once", faults: status(502, { times: 1 }), attempts: 2, sleeps: BACKOFF.slice(0, 1), replayed: false },
  { name: "503 twice", faults: status(503, { times: 2 }), attempts: 3, sleeps: BACKOFF, replayed: false },
  { name: "504 once", faults: status(504, { times: 1 }), attempts: 2, sleeps: BACKOFF.slice(0, 1), replayed: false },
  {
    name: "429 with Retry-After: 1 once (waits exactly 1 s)",
    faults: status(429, { retryAfter: "1", times: 1 }),
    attempts: 2,
    sleeps: [1_000],
    replayed: false,
  },
  {
    name: "429 without Retry-After once (backs off)",
    faults: status(429, { times: 1 }),
    attempts: 2,
    sleeps: BACKOFF.slice(0, 1),
    replayed: false,
  },
  {
    name: "connection refused, API back during the backoff",
    backend: "refused_then_back",
    attempts: 1,
    sleeps: BACKOFF.slice(0, 1),
    replayed: false,
  },
  { name: "reset_before once", faults: rule("reset_before", { times: 1 }), attempts: 2, replayed: false },
  { name: "reset_after once (write committed, then reset)", faults: rule("reset_after", { times: 1 }), attempts: 2, replayed: false },
  {
    name: `timeout once (latency ${SLOW_MS} ms > ${TIMEOUT_MS} ms attempt timeout)`,
    faults: rule("latency", { latencyMs: SLOW_MS, times: 1 }),
    attempts: 2,
  },
  {
    name: `slow_body once (${SLOW_MS} ms body > ${TIMEOUT_MS} ms attempt timeout)`,
    faults: rule("slow_body", { latencyMs: SLOW_MS, times: 1 }),
    attempts: 2,
    replayed: false,
  },
  { name: "truncated_body once", faults: rule("truncated_body", { times: 1 }), attempts: 2, replayed: false },
  {
    name: "401 after the OAuth token was revoked (one re-auth)",
    backend: "oauth",
    revokeTokens: true,
    attempts: 2,
    tokenRequests: 1,
    sleeps: [],
    replayed: false,
  },
];

/** Not recoverable by retrying (or retries exhausted): the call fails with the right error_code. */
const PERMANENT: Fails[] = [
  { name: "malformed_json once", faults: rule("malformed_json", { times: 1 }), writeError: "outcome_unknown", error: "upstream_invalid", attempts: 1, committed: true },
  { name: "wrong_schema once", faults: rule("wrong_schema", { times: 1 }), writeError: "outcome_unknown", error: "upstream_invalid", attempts: 1, committed: true },
  {
    name: "429 with a Retry-After above the cap (handed back, not waited)",
    faults: status(429, { retryAfter: "120", times: 1 }),
    error: "rate_limited",
    attempts: 1,
    sleeps: [],
    retryAfterMs: 120_000,
    committed: false,
  },
  { name: "500 persistent", faults: status(500), writeError: "outcome_unknown", error: "backend_error", attempts: 3, sleeps: BACKOFF, committed: false },
  { name: "502 persistent", faults: status(502), writeError: "outcome_unknown", error: "backend_unavailable", attempts: 3, committed: false },
  { name: "503 persistent", faults: status(503), writeError: "outcome_unknown", error: "backend_unavailable", attempts: 3, committed: false },
  { name: "504 persistent", faults: status(504), writeError: "outcome_unknown", error: "backend_unavailable", attempts: 3, committed: false },
  {
    name: "429 with Retry-After: 1 persistent",
    faults: status(429, { retryAfter: "1" }),
    error: "rate_limited",
    attempts: 3,
    sleeps: [1_000, 1_000],
    committed: false,
  },
  { name: "429 without Retry-After persistent", faults: status(429), error: "rate_limited", attempts: 3, committed: false },
  { name: "connection refused", backend: "refused", error: "backend_unavailable", sleeps: BACKOFF, committed: false },
  { name: "reset_before persistent", faults: rule("reset_before"), writeError: "outcome_unknown", error: "backend_unavailable", attempts: 3, committed: false },
  {
    name: "reset_after persistent (first attempt commits, the others replay)",
    faults: rule("reset_after"),
    writeError: "outcome_unknown", error: "backend_unavailable",
    attempts: 3,
    committed: true,
  },
  {
    name: "timeout persistent",
    faults: rule("latency", { latencyMs: SLOW_MS }),
    writeError: "outcome_unknown", error: "timeout",
    attempts: 3,
    committed: false,
  },
  {
    name: "slow_body persistent",
    faults: rule("slow_body", { latencyMs: SLOW_MS }),
    writeError: "outcome_unknown", error: "timeout",
    attempts: 3,
    committed: true,
  },
  {
    name: "truncated_body persistent",
    faults: rule("truncated_body"),
    writeError: "outcome_unknown", error: "backend_unavailable",
    attempts: 3,
    committed: true,
  },
  {
    name: "401 on every attempt (OAuth: one re-auth, then no loop)",
    backend: "oauth",
    faults: status(401),
    error: "authentication_failed",
    attempts: 2,
    tokenRequests: 1,
    committed: false,
  },
  { name: "401 with a static API key (nothing to refresh)", faults: status(401), error: "authentication_failed", attempts: 1, committed: false },
  {
    name: "call deadline (400 ms) cuts a 10-retry loop of timeouts short",
    faults: rule("latency", { latencyMs: SLOW_MS }),
    options: { maxRetries: 10, api: { callTimeoutMs: 400 } },
    writeError: "outcome_unknown", error: "timeout",
    maxAttempts: 4,
    committed: false,
  },
];

// ---- running one case -----------------------------------------------------------------------------------------------

interface Rig {
  ctx: AppContext;
  timing: RecordingTiming;
  /** The env.sandbox the call reaches (undefined while the refused API is down). */
  target(): Sandbox | undefined;
  /** Brings a refused API back up on the same port. */
  revive(): Promise<Sandbox>;
  close(): Promise<void>;
}

async function rig(testCase: Case): Promise<Rig> {
  const recorded = wallClockTiming();
  const options: TestContextOptions = {
    timeoutMs: TIMEOUT_MS,
    maxRetries: MAX_RETRIES,
    ...testCase.options,
    api: { callTimeoutMs: CALL_TIMEOUT_MS, ...testCase.options?.api },
    // Remembered keys on: repeating a write whose outcome was unclear must replay it, not write it again.
    limits: { idempotencyWindowMs: 600_000 },
  };
  const backend = testCase.backend ?? "api_key";
  if (backend === "api_key" || backend === "oauth") {
    const build = backend === "oauth" ? oauthContext : testContext;
    const ctx = build(env.sandbox, { ...options, timing: recorded });
    return { ctx, timing: recorded, target: () => env.sandbox, revive: async () => env.sandbox, close: async () => {} };
  }
  // A sandbox that was closed: nothing listens on its port until revive() starts a new one there.
  const down = await startSandbox({ seed: SEED, counts: COUNTS });
  const port = down.port;
  await down.close();
  let revived: Sandbox | undefined;
  // The same key as the one that went down (each sandbox makes up its own): the API came back, not another one.
  const revive = async () =>
    (revived ??= await startSandbox({ seed: SEED, counts: COUNTS, port, apiKey: down.apiKey }));
  const timing: RecordingTiming = backend === "refused_then_back"
    ? {
        ...recorded,
        async sleep(ms, signal) {
          await recorded.sleep(ms, signal);
          await revive();
        },
      }
    : recorded;
  return {
    ctx: testContext(down, { ...options, timing }),
    timing: recorded,
    target: () => revived,
    revive,
    close: async () => {
      await revived?.close();
    },
  };
}

const tokenRequests = (target: Sandbox | undefined) =>
  target?.requests.count({ method: "POST", path: "/oauth/token" }) ?? 0;

interface Outcome {
  result: Awaited<ReturnType<typeof callTool>>;
  /** Calls the operation's tool again on the same server. */
  repeat(): ReturnType<typeof callTool>;
  /** Records the operation has written since just before the call under test. */
  written(): number;
}

/**
 * Runs the case's call and everything every case checks: the deadline bound, the route's attempts, the recorded
 * waits, token requests, and that a plain call succeeds afterwards; then `more` on the same server.
 */
async function runCase(op: Operation, testCase: Case, more: (outcome: Outcome) => Promise<void>): Promise<void> {
  const rigged = await rig(testCase);
  const { ctx, timing } = rigged;
  const connected = await connectInMemory(ctx);
  const plainRead = () => callTool(connected.client, "get_customer", { customer_id: customerId });
  try {
    if (testCase.backend === "oauth") {
      // Warm-up: the provider holds a token before the call under test.
      expect(dataOf(await plainRead())).toHaveProperty("customer");
      if (testCase.revokeTokens) env.sandbox.revokeTokens();
    }
    const path = op.path();
    for (const fault of testCase.faults?.(op.method, path) ?? []) env.sandbox.faults.add(fault);
    const routeRequests = () => rigged.target()?.requests.count({ method: op.method, path }) ?? 0;
    const before = {
      written: writtenIn(op, rigged.target()),
      tokens: tokenRequests(rigged.target()),
      route: routeRequests(),
    };
    timing.sleeps.length = 0;
    const args = op.args(`${testCase.name} via ${op.tool}`);
    const callTimeoutMs = ctx.config.api.callTimeoutMs;

    const started = performance.now();
    const result = await callTool(connected.client, op.tool, args);
    const elapsedMs = performance.now() - started;

    expect(elapsedMs, "the call ends within its deadline").toBeLessThan(callTimeoutMs + SLACK_MS);
    const attempts = routeRequests() - before.route;
    if (testCase.attempts !== undefined) expect(attempts, "requests the route received").toBe(testCase.attempts);
    if (testCase.maxAttempts !== undefined) expect(attempts, "requests the route received").toBeLessThanOrEqual(testCase.maxAttempts);
    if (testCase.sleeps !== undefined) expect(timing.sleeps, "recorded waits").toEqual(testCase.sleeps);
    if (testCase.tokenRequests !== undefined) {
      expect(tokenRequests(rigged.target()) - before.tokens, "token requests").toBe(testCase.tokenRequests);
    }

    // The server keeps serving: the fault is gone (or the API is back) and a plain call succeeds.
    env.sandbox.faults.clear();
    await rigged.revive();
    expect(dataOf(await plainRead())).toHaveProperty("customer.id", customerId);
    await more({
      result,
      repeat: () => callTool(connected.client, op.tool, args),
      written: () => writtenIn(op, rigged.target()) - before.written,
    });
  } finally {
    await connected.close();
    ctx.api.close();
    await rigged.close();
  }
}

function writtenIn(op: Operation, target: Sandbox | undefined): number {
  return target ? op.written(target) : 0;
}

const cases = <T extends Case>(table: T[]) =>
  OPERATIONS.flatMap((op) => table.map((testCase) => ({ op, testCase, tool: op.tool, fault: testCase.name })));

describe("transient faults: the call succeeds after retrying", () => {
  it.each(cases(TRANSIENT))("$tool: $fault", async ({ op, testCase }) => {
    await runCase(op, testCase, async ({ result, repeat, written }) => {
      const data = dataOf<{ replayed?: boolean }>(result);
      if (!op.write) return;
      expect(written(), "records written by one successful call").toBe(1);
      if (testCase.replayed !== undefined) expect(data.replayed, "replayed").toBe(testCase.replayed);
      // Repeating the call is a replay of the write the first call made.
      expect(dataOf<{ replayed: boolean }>(await repeat()).replayed, "the repeat replays").toBe(true);
      expect(written(), "records after repeating the call").toBe(1);
    });
  });
});

describe("permanent faults and exhausted retries: the call fails with the right error_code", () => {
  it.each(cases(PERMANENT))("$tool: $fault", async ({ op, testCase }) => {
    await runCase(op, testCase, async ({ result, repeat, written }) => {
      const payload = errorOf(result);
      expect(payload.error_code).toBe(op.write ? (testCase.writeError ?? testCase.error) : testCase.error);
      if (testCase.retryAfterMs !== undefined) expect(payload.retry_after_ms).toBe(testCase.retryAfterMs);
      if (!op.write) return;
      // A refused write wrote nothing; a committed one wrote once, and repeating it (as next_step suggests) must
      // replay that record rather than write a second one.
      expect(written(), "records written by the failed call").toBe(testCase.committed ? 1 : 0);
      const again = dataOf<{ replayed: boolean }>(await repeat());
      expect(again.replayed, "the repeat replays a committed write").toBe(testCase.committed);
      expect(written(), "records after repeating the call").toBe(1);
    });
  });
});

describe("faults that meet many calls at once", () => {
  // Latency under a full bulkhead: calls wait for a slot. Waiting must not outlive the call's deadline either
  // (scope.ts: "Epoch ms after which no attempt or retry starts").
  it("ends every call queued behind the bulkhead within its deadline, with a result or timeout", async () => {
    const ctx = testContext(env.sandbox, {
      timing: wallClockTiming(),
      timeoutMs: 350,
      api: { callTimeoutMs: 400, maxConcurrency: 1, maxQueue: 10 },
    });
    const connected = await connectInMemory(ctx);
    env.sandbox.faults.add({ kind: "latency", latencyMs: 300, method: "GET", path: "/v1/customers" });
    try {
      const started = performance.now();
      const calls = env.sandbox.store.customers.slice(0, 8).map(async (customer) => {
        const result = await callTool(connected.client, "get_customer", { customer_id: customer.id });
        return { ms: Math.round(performance.now() - started), outcome: result.isError ? errorOf(result).error_code : "ok" };
      });
      const outcomes = await Promise.all(calls);
      for (const { outcome } of outcomes) expect(["ok", "timeout"]).toContain(outcome);
      const late = outcomes.filter(({ ms }) => ms >= ctx.config.api.callTimeoutMs + SLACK_MS);
      expect(late, "calls that ended long after their 400 ms deadline").toEqual([]);
    } finally {
      await connected.close();
      ctx.api.close();
    }
  });

  // A call the client cancels while its attempt waits for a bulkhead slot is a cancellation, not a server bug.
  it("logs a write cancelled while queued behind the bulkhead as cancelled, not as an unexpected error", async () => {
    const logs = captureLogs();
    const ctx = testContext(env.sandbox, {
      logger: logs.logger,
      timing: wallClockTiming(),
      api: { maxConcurrency: 1, maxQueue: 10 },
    });
    const connected = await connectInMemory(ctx);
    env.sandbox.faults.add({ kind: "latency", latencyMs: 300, method: "GET", path: "/v1/customers" });
    const before = env.sandbox.store.created.notes;
    try {
      // Counted from here: a request another test abandoned may still arrive in the shared sandbox.
      const earlier = env.sandbox.requests.count({ method: "GET", path: "/v1/customers" });
      const holder = callTool(connected.client, "get_customer", { customer_id: customerId });
      await vi.waitFor(() =>
        expect(env.sandbox.requests.count({ method: "GET", path: "/v1/customers" })).toBeGreaterThan(earlier),
      );
      const controller = new AbortController();
      const note = { name: "add_customer_note", arguments: { customer_id: customerId, body: "Queued, then cancelled." } };
      const write = connected.client
        .callTool(note, undefined, { signal: controller.signal })
        .catch((error: unknown) => error);
      // The slot is held for 300 ms and nothing outside the API client shows the queue: give the write 50 ms to join.
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      expect(await write).toBeInstanceOf(Error);
      expect(dataOf(await holder)).toHaveProperty("customer");
      const noteCall = () => logs.lines().find((line) => line.tool === "add_customer_note" && line.msg === "audit");
      await vi.waitFor(() => expect(noteCall()).toBeDefined());
      expect(logs.lines().filter((line) => line.msg === "unexpected error in tool call")).toEqual([]);
      expect(noteCall()).toMatchObject({ outcome: "error", error_code: "cancelled" });
      expect(env.sandbox.store.created.notes).toBe(before);
    } finally {
      await connected.close();
      ctx.api.close();
    }
  });

  // oauth.ts promises to refresh "once for all concurrent callers".
  it("refreshes the OAuth token once when 12 concurrent calls meet a revoked token, and all succeed", async () => {
    const ctx = oauthContext(env.sandbox, { timing: wallClockTiming() });
    const connected = await connectInMemory(ctx);
    try {
      expect(dataOf(await callTool(connected.client, "get_customer", { customer_id: customerId }))).toHaveProperty("customer");
      env.sandbox.revokeTokens();
      const tokensBefore = tokenRequests(env.sandbox);
      const results = await Promise.all(
        env.sandbox.store.customers.slice(0, 12).map((customer) =>
          callTool(connected.client, "get_customer", { customer_id: customer.id })),
      );
      expect(results.filter((result) => result.isError)).toEqual([]);
      expect(tokenRequests(env.sandbox) - tokensBefore, "token requests after the revocation").toBe(1);
    } finally {
      await connected.close();
      ctx.api.close();
    }
  });
});
