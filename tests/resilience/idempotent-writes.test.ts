// Which Idempotency-Key a write sends, and what that buys: the same caller, tool and arguments in the same window
// get the same key in any process (so a repeat after a restart replays), another caller or window a different
// one, and an explicit idempotency_key names the write. The end-to-end cases (a restart between a cut-off write
// and its repeat, faults on every attempt) are in tests/e2e/write-outcomes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/index.js";
import { IdempotencyKeys } from "../../src/state/idempotency.js";
import { memoryIdempotencyStore } from "../../src/state/memory.js";
import { testContext } from "../helpers/context.js";
import { callTool, connectInMemory, errorOf } from "../helpers/mcp.js";
import { dataOf } from "./harness.js";

const WINDOW_MS = 600_000;

describe("IdempotencyKeys", () => {
  /** Keys as a process started at `now` derives them, with a store of its own (a fresh process). */
  const at = (now: number) => new IdempotencyKeys(memoryIdempotencyStore(() => now), WINDOW_MS, () => now);
  const args = { customer_id: "cus_abcdefgh", subject: "Refund", description: "Twice charged." };

  it("derives the same key for the same caller, tool and arguments in another process, key order aside", async () => {
    const reordered = { description: args.description, subject: args.subject, customer_id: args.customer_id };
    expect(await at(1_000).keyFor("create_ticket", args, "local")).toBe(await at(2_000).keyFor("create_ticket", reordered, "local"));
  });

  it("derives another key for another caller, tool, arguments or window", async () => {
    const key = await at(1_000).keyFor("create_ticket", args, "local");
    expect(await at(1_000).keyFor("create_ticket", args, "someone-else")).not.toBe(key);
    expect(await at(1_000).keyFor("add_customer_note", args, "local")).not.toBe(key);
    expect(await at(1_000).keyFor("create_ticket", { ...args, subject: "Other" }, "local")).not.toBe(key);
    expect(await at(1_000 + WINDOW_MS).keyFor("create_ticket", args, "local")).not.toBe(key);
  });

  it("keeps the first call's key for a whole window in one process, across a window boundary", async () => {
    let now = WINDOW_MS - 10;
    const keys = new IdempotencyKeys(memoryIdempotencyStore(() => now), WINDOW_MS, () => now);
    const key = await keys.keyFor("create_ticket", args, "local");
    now += 1_000;
    expect(await keys.keyFor("create_ticket", args, "local")).toBe(key);
    now += WINDOW_MS;
    expect(await keys.keyFor("create_ticket", args, "local")).not.toBe(key);
  });

  it("names an explicit key per caller, and makes every implicit key new when the window is 0", async () => {
    const keys = at(1_000);
    expect(await keys.keyFor("create_ticket", args, "local", "order-7731")).toMatch(/^cmcp-create_ticket-x-[0-9a-f]{12}-order-7731$/);
    expect(await keys.keyFor("create_ticket", args, "local", "order-7731"))
      .not.toBe(await keys.keyFor("create_ticket", args, "someone-else", "order-7731"));
    const off = new IdempotencyKeys(memoryIdempotencyStore(() => 1_000), 0, () => 1_000);
    expect(await off.keyFor("create_ticket", args, "local")).not.toBe(await off.keyFor("create_ticket", args, "local"));
  });
});

describe("idempotent writes through the server", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 31, counts: { customers: 20, transactions: 40, tickets: 10 } });
  });
  afterAll(() => sandbox.close());

  const ticketArgs = (subject: string) => ({
    customer_id: sandbox.store.customers[0]?.id,
    subject,
    description: "Opened by the idempotency test.",
  });

  it("replays a repeat of a write made by another server process, as after a restart", async () => {
    const options = { limits: { idempotencyWindowMs: WINDOW_MS } };
    const before = sandbox.store.created.tickets;
    const first = await connectInMemory(testContext(sandbox, options));
    const made = dataOf<{ ticket: { id: string }; replayed: boolean }>(
      await callTool(first.client, "create_ticket", ticketArgs("Across a restart")),
    );
    await first.close();
    const second = await connectInMemory(testContext(sandbox, options));
    const repeated = dataOf<{ ticket: { id: string }; replayed: boolean }>(
      await callTool(second.client, "create_ticket", ticketArgs("Across a restart")),
    );
    await second.close();
    expect(made.replayed).toBe(false);
    expect(repeated).toMatchObject({ replayed: true, ticket: { id: made.ticket.id } });
    expect(sandbox.store.created.tickets - before).toBe(1);
  });

  it("writes once per explicit idempotency_key and refuses the same key with a different body", async () => {
    const connected = await connectInMemory(testContext(sandbox, { limits: { idempotencyWindowMs: WINDOW_MS } }));
    const create = (args: Record<string, unknown>) => callTool(connected.client, "create_ticket", args);
    const args = { ...ticketArgs("Explicit key"), idempotency_key: "ticket-for-order-7731" };
    const before = sandbox.store.created.tickets;

    const first = dataOf<{ ticket: { id: string }; replayed: boolean }>(await create(args));
    const again = dataOf<{ ticket: { id: string }; replayed: boolean }>(await create(args));
    expect(sandbox.store.created.tickets - before).toBe(1);
    expect(again).toMatchObject({ replayed: true, ticket: { id: first.ticket.id } });

    const conflict = errorOf(await create({ ...args, subject: "A different ticket under the same key" }));
    expect(conflict.error_code).toBe("idempotency_conflict");
    expect(sandbox.store.created.tickets - before).toBe(1);

    // The caller's key names the write, so a new key is a new write even with the same arguments.
    const renamed = dataOf<{ replayed: boolean }>(await create({ ...args, idempotency_key: "ticket-for-order-7731-b" }));
    expect(renamed.replayed).toBe(false);
    expect(sandbox.store.created.tickets - before).toBe(2);
    await connected.close();
  });
});
