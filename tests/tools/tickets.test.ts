// The ticket tools through the real SDK Client over an in-memory pair, against the sandbox: search, open, create,
// update and comment, with their error paths and the sandbox's write counters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useSandbox } from "../helpers/fixture.js";
import { SANDBOX_AGENTS } from "../../src/sandbox/index.js";
import { ticketTools } from "../../src/tools/tickets.js";
import { manualClock, testContext } from "../helpers/context.js";
import { type Connected, callTool, connectInMemory, errorOf } from "../helpers/mcp.js";

/** Free text as views mark it: `untrusted` says who wrote it. */
interface Marked {
  untrusted: string;
  text: string;
  suspicious?: true;
}
interface TicketOut {
  id: string;
  customer_id: string;
  subject: Marked;
  status: string;
  priority: string;
  assignee: Marked | null;
  assignee_id?: string | null;
  channel: string | null;
  comments_count: number | null;
  description?: Marked | null;
}
interface CommentOut {
  id: string;
  author: Marked;
  author_type: string;
  public: boolean;
  body: Marked;
}
interface DetailOut {
  ticket: TicketOut;
  recent_comments: CommentOut[];
  more_comments: boolean;
}

const clock = manualClock();
let connected: Connected;

const env = useSandbox({ seed: 42, clock: clock.now });
beforeAll(async () => {
  connected = await connectInMemory(testContext(env.sandbox, { maxRetries: 1, clock }), { tools: ticketTools });
});
afterAll(async () => {
  await connected.close();
});

const fixtures = () => env.sandbox.store.fixtures;
const call = (name: string, args: Record<string, unknown>) => callTool(connected.client, name, args);

async function data<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const result = await call(name, args);
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
}

/** A fresh ticket per test that writes comments, so counts do not depend on test order. */
async function freshTicket(subject = "Fresh ticket for a test"): Promise<TicketOut> {
  const { ticket } = await data<{ ticket: TicketOut }>("create_ticket", {
    customer_id: fixtures().demoCustomerId,
    subject,
    description: "Created by the ticket tool tests.",
  });
  return ticket;
}

describe("tools/list", () => {
  it("lists the ticket tools in order with deliberate annotations", async () => {
    const { tools } = await connected.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      "search_tickets",
      "get_ticket",
      "create_ticket",
      "update_ticket",
      "add_ticket_comment",
    ]);
    const hints = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]));
    expect(hints.search_tickets).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(hints.get_ticket).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
    expect(hints.create_ticket).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: false });
    expect(hints.update_ticket).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
    expect(hints.add_ticket_comment).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
    });
    for (const tool of tools) expect(tool.annotations?.openWorldHint).toBe(false);
  });
});

describe("search_tickets", () => {
  it("finds a customer's open tickets as summaries without descriptions", async () => {
    const result = await data<{ tickets: TicketOut[]; next_cursor: string | null }>("search_tickets", {
      customer_id: fixtures().demoCustomerId,
      status: "open",
    });
    const ids = result.tickets.map((ticket) => ticket.id);
    for (const id of fixtures().openTicketIds) expect(ids).toContain(id);
    for (const ticket of result.tickets) {
      expect(ticket).toMatchObject({ customer_id: fixtures().demoCustomerId, status: "open" });
      expect(ticket).not.toHaveProperty("description");
      expect(ticket).toHaveProperty("assignee");
      expect(ticket.comments_count).toEqual(expect.any(Number));
    }
  });

  it("pages with next_cursor without repeating tickets", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const result = await data<{ tickets: TicketOut[]; next_cursor: string | null }>("search_tickets", {
        priority: "high",
        limit: 7,
        ...(cursor ? { cursor } : {}),
      });
      expect(result.tickets).toHaveLength(7);
      expect(result.tickets.every((ticket) => ticket.priority === "high")).toBe(true);
      seen.push(...result.tickets.map((ticket) => ticket.id));
      expect(result.next_cursor).toEqual(expect.any(String));
      cursor = result.next_cursor ?? undefined;
    }
    expect(new Set(seen).size).toBe(21);
  });

  it("finds a ticket by text in its description", async () => {
    const result = await data<{ tickets: TicketOut[] }>("search_tickets", { query: "ignore all previous" });
    expect(result.tickets.map((ticket) => ticket.id)).toEqual([fixtures().promptInjectionTicketId]);
  });

  it("returns an empty page for a customer that has no tickets or does not exist", async () => {
    const result = await data<{ tickets: TicketOut[]; next_cursor: string | null }>("search_tickets", {
      customer_id: "cus_doesnotexist00",
    });
    expect(result).toEqual({ tickets: [], next_cursor: null, fetched_at: expect.any(String) });
  });

  it.each([
    ["status", { status: "reopened" }],
    ["priority", { priority: "critical" }],
    ["query", { query: "x" }],
    ["customer_id", { customer_id: "123" }],
  ])("rejects an invalid %s before calling the API", async (path, args) => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await call("search_tickets", args));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path, message: expect.any(String) }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx as backend_unavailable", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/tickets" });
    const error = errorOf(await call("search_tickets", { status: "open" }));
    expect(error.error_code).toBe("backend_unavailable");
    expect(error.next_step).toBeTruthy();
  });
});

describe("get_ticket", () => {
  it("returns the ticket with its description and its comments, oldest first", async () => {
    const id = fixtures().openTicketIds[0] ?? "";
    const result = await data<DetailOut>("get_ticket", { ticket_id: id });
    const stored = env.sandbox.store.ticketsById.get(id);
    expect(result.ticket).toMatchObject({
      id,
      subject: { untrusted: "customer", text: "Charged twice for my annual plan" },
      description: { untrusted: "customer", text: stored?.description },
      status: "open",
      priority: "high",
    });
    expect(result.recent_comments.map((comment) => comment.id)).toEqual(
      (env.sandbox.store.commentsByTicket.get(id) ?? []).map((comment) => comment.id),
    );
    expect(result.recent_comments[0]).toMatchObject({
      author: { untrusted: expect.stringMatching(/^(staff|customer|system)$/), text: expect.any(String) },
      author_type: expect.stringMatching(/^(agent|customer|system)$/),
      public: expect.any(Boolean),
    });
    expect(result.more_comments).toBe(false);
  });

  it("returns only the 10 newest comments of a long ticket and says there are more", async () => {
    const ticket = await freshTicket();
    for (let i = 1; i <= 12; i++) {
      clock.advance(1_000);
      await data("add_ticket_comment", { ticket_id: ticket.id, body: `Comment number ${i}`, public: i % 2 === 0 });
    }
    const result = await data<DetailOut>("get_ticket", { ticket_id: ticket.id });
    expect(result.recent_comments.map((comment) => comment.body.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `Comment number ${i + 3}`),
    );
    expect(result.more_comments).toBe(true);
    expect(result.ticket.comments_count).toBe(12);
  });

  it("reads past the first page of comments to find the newest ones", async () => {
    const ticket = await freshTicket();
    const api = testContext(env.sandbox).api;
    for (let i = 1; i <= 105; i++) {
      clock.advance(1_000);
      await api.tickets.addComment(ticket.id, { body: `Note ${i}`, public: false }, { idempotencyKey: `bulk-${i}` });
    }
    const result = await data<DetailOut>("get_ticket", { ticket_id: ticket.id });
    expect(result.recent_comments.at(-1)?.body.text).toBe("Note 105");
    expect(result.recent_comments[0]?.body.text).toBe("Note 96");
    expect(result.more_comments).toBe(true);
  });

  it("reports not_found when the ticket does not exist", async () => {
    const error = errorOf(await call("get_ticket", { ticket_id: "tkt_doesnotexist00" }));
    expect(error.error_code).toBe("not_found");
    expect(error.next_step).toMatch(/search/);
  });

  it("rejects a malformed id before calling the API, pointing to search_tickets", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await call("get_ticket", { ticket_id: "../../admin" }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "ticket_id", message: expect.stringContaining("search_tickets") }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx as backend_unavailable", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, path: "/v1/tickets/" });
    const error = errorOf(await call("get_ticket", { ticket_id: fixtures().openTicketIds[0] }));
    expect(error.error_code).toBe("backend_unavailable");
  });

  it("returns the prompt-injection ticket's text as data, unchanged", async () => {
    const id = fixtures().promptInjectionTicketId;
    const result = await data<DetailOut>("get_ticket", { ticket_id: id });
    expect(result.ticket.description?.text).toBe(env.sandbox.store.ticketsById.get(id)?.description);
    expect(result.ticket.status).toBe("open");
  });
});

describe("create_ticket", () => {
  it("creates exactly one ticket, open and with normal priority by default", async () => {
    const before = env.sandbox.store.created.tickets;
    const result = await data<{ ticket: TicketOut; replayed: boolean }>("create_ticket", {
      customer_id: fixtures().demoCustomerId,
      subject: "Address change",
      description: "Please update the billing address to 1 Main St.",
    });
    expect(env.sandbox.store.created.tickets).toBe(before + 1);
    expect(result.replayed).toBe(false);
    expect(result.ticket).toMatchObject({
      id: expect.stringMatching(/^tkt_/),
      customer_id: fixtures().demoCustomerId,
      subject: { untrusted: "customer", text: "Address change" },
      description: { untrusted: "customer", text: "Please update the billing address to 1 Main St." },
      status: "open",
      priority: "normal",
      assignee: null,
      comments_count: 0,
    });
    expect(env.sandbox.store.ticketsById.get(result.ticket.id)?.subject).toBe("Address change");
    const post = env.sandbox.requests.all().findLast((entry) => entry.method === "POST" && entry.path === "/v1/tickets");
    expect(post?.idempotencyKey).toMatch(/^cmcp-create_ticket-/);
  });

  it("passes priority and channel through", async () => {
    const result = await data<{ ticket: TicketOut }>("create_ticket", {
      customer_id: fixtures().demoCustomerId,
      subject: "Phone call about an outage",
      description: "Customer called: the dashboard is down.",
      priority: "urgent",
      channel: "phone",
    });
    expect(result.ticket).toMatchObject({ priority: "urgent", channel: "phone" });
  });

  it("reports not_found for a customer that does not exist, creating nothing", async () => {
    const before = env.sandbox.store.created.tickets;
    const error = errorOf(
      await call("create_ticket", {
        customer_id: "cus_doesnotexist00",
        subject: "Nobody",
        description: "This customer does not exist.",
      }),
    );
    expect(error.error_code).toBe("not_found");
    expect(env.sandbox.store.created.tickets).toBe(before);
  });

  it.each([
    ["subject", { subject: "   ", description: "Something." }],
    ["subject", { subject: "x".repeat(201), description: "Something." }],
    ["description", { subject: "Something", description: "x".repeat(5_001) }],
    ["priority", { subject: "Something", description: "Something.", priority: "critical" }],
    ["channel", { subject: "Something", description: "Something.", channel: "fax" }],
  ])("rejects an invalid %s before calling the API", async (path, args) => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await call("create_ticket", { customer_id: fixtures().demoCustomerId, ...args }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path, message: expect.any(String) }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("reports an upstream 5xx as outcome_unknown, to be repeated as is, and creates nothing", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/tickets" });
    const before = env.sandbox.store.created.tickets;
    const error = errorOf(
      await call("create_ticket", {
        customer_id: fixtures().demoCustomerId,
        subject: "During an outage",
        description: "The API is down.",
      }),
    );
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
    expect(env.sandbox.store.created.tickets).toBe(before);
  });
});

describe("update_ticket", () => {
  it("changes status and assignee and returns the updated ticket", async () => {
    const ticket = await freshTicket();
    const agent = SANDBOX_AGENTS[0];
    const result = await data<{ ticket: TicketOut }>("update_ticket", {
      ticket_id: ticket.id,
      status: "pending",
      assignee_id: agent?.id,
    });
    expect(result.ticket).toMatchObject({
      id: ticket.id,
      status: "pending",
      priority: "normal",
      assignee: { untrusted: "staff", text: agent?.name },
      assignee_id: agent?.id,
    });
    expect(env.sandbox.store.ticketsById.get(ticket.id)?.status).toBe("pending");
  });

  it("has no further effect when the same change is repeated", async () => {
    const ticket = await freshTicket();
    await data("update_ticket", { ticket_id: ticket.id, priority: "high" });
    const updates = env.sandbox.store.updated.tickets;
    const again = await data<{ ticket: TicketOut }>("update_ticket", { ticket_id: ticket.id, priority: "high" });
    expect(again.ticket.priority).toBe("high");
    expect(env.sandbox.store.updated.tickets).toBe(updates);
  });

  it("rejects a call with nothing to change, explaining what to pass", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(await call("update_ticket", { ticket_id: fixtures().openTicketIds[0] }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([
      { path: "(arguments)", message: expect.stringMatching(/status, priority or assignee_id/) },
    ]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it.each([
    ["assignee_id", { assignee_id: "maya" }],
    ["status", { status: "reopened" }],
    ["ticket_id", { ticket_id: "tkt_1", status: "open" }],
  ])("rejects an invalid %s before calling the API", async (path, args) => {
    const error = errorOf(await call("update_ticket", { ticket_id: fixtures().openTicketIds[1], ...args }));
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path, message: expect.any(String) }]);
  });

  it("reports the API's rejection of an agent id that does not exist", async () => {
    const ticket = await freshTicket();
    const error = errorOf(await call("update_ticket", { ticket_id: ticket.id, assignee_id: "usr_nobodyatall99" }));
    expect(error.error_code).toBe("invalid_request");
    expect(error.message).toContain("assignee_id");
  });

  it("reports not_found when the ticket does not exist", async () => {
    const error = errorOf(await call("update_ticket", { ticket_id: "tkt_doesnotexist00", status: "solved" }));
    expect(error.error_code).toBe("not_found");
  });

  it("reports an upstream 5xx on the PATCH as outcome_unknown, to be repeated as is", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "PATCH", path: "/v1/tickets/" });
    const error = errorOf(await call("update_ticket", { ticket_id: fixtures().openTicketIds[0], status: "solved" }));
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
  });
});

describe("add_ticket_comment", () => {
  it("adds a public reply as asked and increments the ticket's comments_count", async () => {
    const ticket = await freshTicket();
    const result = await data<{ comment: CommentOut; replayed: boolean }>("add_ticket_comment", {
      ticket_id: ticket.id,
      body: "We have refunded the duplicate charge.",
      public: true,
    });
    expect(result.replayed).toBe(false);
    expect(result.comment).toMatchObject({
      body: { untrusted: "staff", text: "We have refunded the duplicate charge." },
      public: true,
    });
    expect(env.sandbox.store.commentsById.get(result.comment.id)?.public).toBe(true);
    const after = await data<DetailOut>("get_ticket", { ticket_id: ticket.id });
    expect(after.ticket.comments_count).toBe(1);
    expect(after.recent_comments.map((comment) => comment.id)).toEqual([result.comment.id]);
  });

  it("stores an internal note as internal", async () => {
    const ticket = await freshTicket();
    const before = env.sandbox.store.created.comments;
    const result = await data<{ comment: CommentOut }>("add_ticket_comment", {
      ticket_id: ticket.id,
      body: "Customer seems to be on the legacy plan.",
      public: false,
    });
    expect(result.comment.public).toBe(false);
    expect(env.sandbox.store.commentsById.get(result.comment.id)?.public).toBe(false);
    expect(env.sandbox.store.created.comments).toBe(before + 1);
  });

  it("requires public to be chosen explicitly", async () => {
    const before = env.sandbox.requests.count();
    const error = errorOf(
      await call("add_ticket_comment", { ticket_id: fixtures().openTicketIds[0], body: "Hello" }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "public", message: "is required" }]);
    expect(env.sandbox.requests.count()).toBe(before);
  });

  it("rejects an empty body", async () => {
    const error = errorOf(
      await call("add_ticket_comment", { ticket_id: fixtures().openTicketIds[0], body: "  ", public: false }),
    );
    expect(error.error_code).toBe("invalid_arguments");
    expect(error.issues).toEqual([{ path: "body", message: expect.any(String) }]);
  });

  it("reports not_found when the ticket does not exist", async () => {
    const error = errorOf(
      await call("add_ticket_comment", { ticket_id: "tkt_doesnotexist00", body: "Hello", public: false }),
    );
    expect(error.error_code).toBe("not_found");
  });

  it("reports an upstream 5xx as outcome_unknown, to be repeated as is, and adds nothing", async () => {
    env.sandbox.faults.add({ kind: "status", status: 503, method: "POST", path: "/v1/tickets/" });
    const before = env.sandbox.store.created.comments;
    const error = errorOf(
      await call("add_ticket_comment", { ticket_id: fixtures().openTicketIds[0], body: "Hello", public: true }),
    );
    expect(error.error_code).toBe("outcome_unknown");
    expect(error.next_step).toMatch(/^Repeat this exact call/);
    expect(env.sandbox.store.created.comments).toBe(before);
  });
});
