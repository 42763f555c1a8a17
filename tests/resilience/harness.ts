// Shared by the resilience tests: retry timing that records backoffs without waiting but keeps the real clock (so
// call deadlines and attempt timeouts are real), an AppContext that authenticates with OAuth client credentials
// against the sandbox, a bounded worker pool, and a child process's resident memory.
import { readFileSync } from "node:fs";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { memoryStores } from "../../src/state/memory.js";
import { createCustomerApi } from "../../src/api/index.js";
import type { AppContext } from "../../src/context.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { manualClock, testConfig, type TestContextOptions } from "../helpers/context.js";
import { captureLogs } from "../helpers/logs.js";
import { type RecordingTiming, recordingTiming } from "../helpers/timing.js";

/** Backoffs and Retry-After waits are recorded, not slept; `now` is the wall clock, so deadlines really expire. */
export function wallClockTiming(): RecordingTiming {
  return { ...recordingTiming(), now: () => Date.now() };
}

/** The AppContext testContext builds, but with an API client that gets OAuth tokens from the sandbox. */
export function oauthContext(sandbox: Sandbox, options: TestContextOptions = {}): AppContext {
  const logger = options.logger ?? captureLogs().logger;
  const config = testConfig(sandbox, options);
  const clock = options.clock ?? manualClock();
  const state = memoryStores(() => clock.now());
  const api = createCustomerApi({
    baseUrl: sandbox.url,
    credentials: {
      kind: "client_credentials",
      tokenUrl: `${sandbox.url}/oauth/token`,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
    },
    settings: config.api,
    cache: config.cache,
    logger,
    timing: options.timing ?? wallClockTiming(),
    userAgent: "customer-mcp-tests",
    doneWrites: state.idempotency,
  });
  return { config, logger, api, clock, state };
}

/** The structured result of a successful call; throws with the error payload otherwise. */
export function dataOf<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(`expected a result, got ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/**
 * Runs `task(0..count-1)` with at most `concurrency` in flight. No new task starts once `stopAt` (epoch ms) has
 * passed; returns how many were started.
 */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
  stopAt = Number.POSITIVE_INFINITY,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < stopAt) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return next;
}

/** VmRSS of a process in bytes (Linux), or undefined where /proc is not available. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
