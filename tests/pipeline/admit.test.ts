// The admit step on its own: what refuses a call, in which order, how the refusal is recorded, and that a call
// admitted holds a place in the intake until it leaves.
import { describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { admit, type Admission } from "../../src/pipeline/admit.js";
import { AuditTrail, type AuditSink, type OpenAuditRecord } from "../../src/pipeline/audit.js";
import { CallTracker } from "../../src/pipeline/lifecycle.js";
import { localPrincipal } from "../../src/pipeline/principal.js";
import type { PipelineRuntime } from "../../src/pipeline/runtime.js";
import { testContext } from "../helpers/context.js";

const env = useSandbox({ seed: 3, counts: { customers: 10, transactions: 20, tickets: 6 } });

function rig(options: { callsPerMinute?: number; auditFails?: boolean } = {}) {
  const ctx = testContext(env.sandbox, { limits: { callsPerMinutePerTool: options.callsPerMinute ?? 100 } });
  let failing = options.auditFails ?? false;
  const sink: AuditSink = {
    name: "test",
    write: () => {
      if (failing) throw new Error("disk full");
    },
    close: async () => {},
  };
  const runtime: PipelineRuntime = { ctx, tracker: new CallTracker(), audit: new AuditTrail([sink]), confirmations: "elicit" };
  const principal = localPrincipal(ctx.config);
  const record = (): OpenAuditRecord =>
    runtime.audit.begin({
      callId: "c",
      method: "tools/call",
      target: { tool: "t" },
      arguments: {},
      principal: { subject: principal.subject, client: null },
    });
  // A record the failing sink could not take makes the trail unhealthy, as a failed write does in production.
  if (failing) record().finish({ outcome: "ok" });
  return { runtime, principal, record, heal: () => (failing = false) };
}

/** A client that never cancels. */
const NO_CANCEL = new AbortController().signal;
const read: Admission = { label: "get_customer", write: false, bucket: "tool:get_customer" };

describe("admit", () => {
  it("admits a call, holds its place in the intake until it leaves, and leaves the decision allowed", async () => {
    const { runtime, principal, record } = rig();
    const open = record();
    const ticket = await admit(runtime, principal, read, open, NO_CANCEL);
    expect(runtime.tracker.inFlight).toBe(1);
    ticket.leave();
    expect(runtime.tracker.inFlight).toBe(0);
    expect(open.decision).toBe("allowed");
  });

  it("refuses every call once shutdown has begun", async () => {
    const { runtime, principal, record } = rig();
    await runtime.tracker.drain(0);
    const open = record();
    await expect(admit(runtime, principal, read, open, NO_CANCEL)).rejects.toMatchObject({ code: "server_shutting_down" });
    expect(open.decision).toBe("denied");
  });

  it("refuses what the grant does not allow, naming why, and frees the intake", async () => {
    const { runtime, principal, record } = rig();
    const open = record();
    const refused = admit(runtime, principal, { ...read, refusal: "it needs refunds:write" }, open, NO_CANCEL);
    await expect(refused).rejects.toMatchObject({ code: "permission_denied", message: /it needs refunds:write/ });
    expect(open.decision).toBe("denied");
    expect(runtime.tracker.inFlight).toBe(0);
  });

  it("refuses writes, not reads, while the audit trail cannot be written", async () => {
    const { runtime, principal, record } = rig({ auditFails: true });
    expect(runtime.audit.healthy).toBe(false);
    const write: Admission = { label: "issue_refund", write: true, bucket: "tool:issue_refund" };
    await expect(admit(runtime, principal, write, record(), NO_CANCEL)).rejects.toMatchObject({ code: "audit_unavailable" });
    (await admit(runtime, principal, read, record(), NO_CANCEL)).leave();
  });

  it("refuses a call over the rate limit of its principal and target, with the time to wait", async () => {
    const { runtime, principal, record } = rig({ callsPerMinute: 2 });
    for (let i = 0; i < 2; i++) (await admit(runtime, principal, read, record(), NO_CANCEL)).leave();
    const refused = admit(runtime, principal, read, record(), NO_CANCEL);
    await expect(refused).rejects.toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    // Another target has a bucket of its own, and so has another principal.
    (await admit(runtime, principal, { ...read, bucket: "tool:list_segments" }, record(), NO_CANCEL)).leave();
    (await admit(runtime, { ...principal, subject: "someone-else" }, read, record(), NO_CANCEL)).leave();
  });
});
