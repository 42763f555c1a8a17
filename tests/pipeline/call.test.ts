// runCall on its own, with plans made up for the test: one audit record per call whatever happens (refused,
// invalid, failed, unknown, done), the step each failure is reported from, and the call scope every API request
// of the call runs in (the principal's subject, the client's signal, the deadline).
import { describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { ApiOutcomeUnknownError, ApiServerError } from "../../src/api/errors.js";
import { UserInputError } from "../../src/errors.js";
import { AuditTrail, type AuditRecord, type AuditSink } from "../../src/pipeline/audit.js";
import { type CallPlan, type PipelineRuntime, runCall } from "../../src/pipeline/call.js";
import { CallTracker } from "../../src/pipeline/lifecycle.js";
import { localPrincipal } from "../../src/pipeline/principal.js";
import { testContext } from "../helpers/context.js";

const env = useSandbox({ seed: 5, counts: { customers: 10, transactions: 20, tickets: 6 } });

function rig() {
  const records: AuditRecord[] = [];
  const sink: AuditSink = { name: "memory", write: (record) => void records.push(record), close: async () => {} };
  const ctx = testContext(env.sandbox, { timeoutMs: 200, api: { callTimeoutMs: 1_000 } });
  const runtime: PipelineRuntime = {
    ctx,
    tracker: new CallTracker(),
    audit: new AuditTrail([sink]),
    confirmations: "elicit",
  };
  const principal = { ...localPrincipal(ctx.config), subject: "alice@example.com", client: { name: "c", version: "1" } };
  const request = (signal = new AbortController().signal) => ({
    method: "tools/call" as const,
    target: { tool: "probe" },
    arguments: { customer_id: env.sandbox.store.customers[0]?.id },
    principal,
    signal,
  });
  return { ctx, runtime, records, request };
}

function plan<R>(run: CallPlan<unknown, R, R>["run"], overrides: Partial<CallPlan<unknown, R, R>> = {}): CallPlan<unknown, R, R> {
  return {
    admission: { label: "probe", write: false, bucket: "tool:probe" },
    parse: (raw) => raw,
    deadlineMs: 1_000,
    run,
    present: (result) => result,
    ...overrides,
  };
}

describe("runCall", () => {
  it("runs a call and records it once, with method, target, principal and the upstream request", async () => {
    const { ctx, runtime, records, request } = rig();
    const outcome = await runCall(runtime, request(), plan(async () => (await ctx.api.customers.get(env.sandbox.store.customers[0]?.id ?? "")).id));
    expect(outcome).toEqual({ ok: true, value: env.sandbox.store.customers[0]?.id });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      method: "tools/call",
      tool: "probe",
      principal: { subject: "alice@example.com", client: { name: "c", version: "1" } },
      outcome: "ok",
      decision: "allowed",
      upstream_request_ids: [expect.any(String)],
    });
  });

  it.each([
    ["the parse step", { parse: () => { throw new UserInputError("Invalid arguments: x."); } }, "invalid_arguments", "error"],
    ["the present step", { present: () => { throw new UserInputError("Invalid output."); } }, "invalid_arguments", "error"],
  ] as const)("reports a failure in %s as the call's error, recorded once", async (_step, overrides, code, outcome) => {
    const { runtime, records, request } = rig();
    const result = await runCall(runtime, request(), plan(async () => "ran", overrides as never));
    expect(result).toMatchObject({ ok: false, payload: { error_code: code } });
    expect(records).toEqual([expect.objectContaining({ outcome, error_code: code })]);
    expect(runtime.tracker.inFlight).toBe(0);
  });

  it("records a failed write whose outcome is unknown as unknown, and an ordinary failure as error", async () => {
    const { runtime, records, request } = rig();
    await runCall(runtime, request(), plan(async () => {
      throw new ApiOutcomeUnknownError(new ApiServerError("backend_unavailable", "down", { status: 503 }), true);
    }));
    await runCall(runtime, request(), plan(async () => {
      throw new ApiServerError("backend_unavailable", "down", { status: 503 });
    }));
    expect(records.map((record) => [record.outcome, record.error_code])).toEqual([
      ["unknown", "outcome_unknown"],
      ["error", "backend_unavailable"],
    ]);
  });

  it("records a refused call as denied, without running it", async () => {
    const { runtime, records, request } = rig();
    let ran = false;
    const result = await runCall(runtime, request(), plan(async () => (ran = true), {
      admission: { label: "probe", write: false, bucket: "tool:probe", refusal: "not granted" },
    }));
    expect(result).toMatchObject({ ok: false, payload: { error_code: "permission_denied" } });
    expect(ran).toBe(false);
    expect(records).toEqual([expect.objectContaining({ decision: "denied", outcome: "error" })]);
  });

  it("cancels the call's API requests with the client's signal, though the handler passes none", async () => {
    const { ctx, runtime, records, request } = rig();
    const id = env.sandbox.store.customers[1]?.id ?? "";
    env.sandbox.faults.add({ kind: "latency", latencyMs: 5_000, path: `/v1/customers/${id}` });
    const controller = new AbortController();
    const running = runCall(runtime, request(controller.signal), plan(() => ctx.api.customers.get(id)));
    setTimeout(() => controller.abort(), 50);
    expect(await running).toMatchObject({ ok: false, payload: { error_code: "cancelled" } });
    expect(records[0]).toMatchObject({ outcome: "error", error_code: "cancelled" });
  });

  it("ends the call's API work at its deadline", async () => {
    const { ctx, runtime, request } = rig();
    const id = env.sandbox.store.customers[2]?.id ?? "";
    env.sandbox.faults.add({ kind: "latency", latencyMs: 5_000, path: `/v1/customers/${id}` });
    const started = performance.now();
    const outcome = await runCall(runtime, request(), plan(() => ctx.api.customers.get(id), { deadlineMs: 300 }));
    expect(outcome).toMatchObject({ ok: false, payload: { error_code: "timeout" } });
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
