// Builds seeded activity hanging off customers: transactions, tickets with comments, and notes.
import type { Random } from "../random.js";
import type {
  Comment,
  Customer,
  Note,
  Ticket,
  TicketPriority,
  TicketStatus,
  Transaction,
  TransactionStatus,
  TransactionType,
} from "../records.js";
import type { SandboxStore } from "../store.js";
import { between, iso, SEED_END_MS } from "./customers.js";
import {
  AGENT_REPLIES,
  CARD_BRANDS,
  CHARGE_DESCRIPTIONS,
  CREDIT_DESCRIPTIONS,
  CUSTOMER_REPLIES,
  INTERNAL_REMARKS,
  NOTE_BODIES,
  REFUND_DESCRIPTIONS,
  SANDBOX_AGENTS,
  SYSTEM_MESSAGES,
  TICKET_TAGS,
  TICKET_TOPICS,
} from "./names.js";

const DAY_MS = 86_400_000;

// Weight tables live at module scope (immutable) so the hot seeding loops do not allocate them per record.
const TXN_TYPES: ReadonlyArray<readonly [TransactionType, number]> = [
  ["charge", 80],
  ["refund", 12],
  ["credit", 8],
];
const TXN_STATUSES: ReadonlyArray<readonly [TransactionStatus, number]> = [
  ["succeeded", 85],
  ["pending", 8],
  ["failed", 7],
];
const TICKET_STATUS_WEIGHTS: ReadonlyArray<readonly [TicketStatus, number]> = [
  ["open", 30],
  ["pending", 20],
  ["solved", 30],
  ["closed", 20],
];
const PRIORITY_WEIGHTS: ReadonlyArray<readonly [TicketPriority, number]> = [
  ["low", 20],
  ["normal", 55],
  ["high", 20],
  ["urgent", 5],
];
const AUTHOR_WEIGHTS = [
  ["agent", 50],
  ["customer", 35],
  ["system", 15],
] as const;
const CHANNELS = ["email", "chat", "phone", "web"] as const;
const TXN_CHANNELS = ["web", "api", "pos"] as const;

/** A customer plus its creation instant, parsed once so activity never re-parses timestamps. */
export interface Owner {
  customer: Customer;
  sinceMs: number;
}

export const owner = (customer: Customer): Owner => ({ customer, sinceMs: Date.parse(customer.created_at) });

export interface TransactionDraft {
  type?: TransactionType;
  status?: TransactionStatus;
  amount?: number;
  refundedAmount?: number;
  description?: string;
  createdMs?: number;
}

export function buildTransaction(
  store: SandboxStore,
  r: Random,
  { customer, sinceMs }: Owner,
  draft: TransactionDraft = {},
): Transaction {
  const type = draft.type ?? r.weighted(TXN_TYPES);
  const status = draft.status ?? r.weighted(TXN_STATUSES);
  const amount =
    draft.amount ?? (type === "charge" ? r.int(5, 2500) * 100 - r.int(0, 1) : r.int(1, 300) * 100);
  let refunded = draft.refundedAmount ?? 0;
  if (draft.refundedAmount === undefined && type === "charge" && status === "succeeded") {
    const roll = r.float();
    if (roll < 0.05) refunded = amount;
    else if (roll < 0.15) refunded = Math.max(1, Math.floor(amount * r.float() * 0.9));
  }
  const createdMs = draft.createdMs ?? between(r, sinceMs, SEED_END_MS);
  const descriptions =
    type === "charge" ? CHARGE_DESCRIPTIONS : type === "refund" ? REFUND_DESCRIPTIONS : CREDIT_DESCRIPTIONS;
  return {
    id: store.newId("txn", r),
    customer_id: customer.id,
    type,
    status,
    amount,
    currency: customer.currency,
    refunded_amount: refunded,
    description: draft.description ?? r.pick(descriptions),
    payment_method: {
      brand: r.weighted(CARD_BRANDS),
      last4: r.digits(4),
      exp_month: r.int(1, 12),
      exp_year: r.int(2025, 2031),
      fingerprint: r.alnum(16),
    },
    created_at: iso(createdMs),
    metadata: {
      order_id: `ord_${r.alnum(10)}`,
      channel: r.pick(TXN_CHANNELS),
      processor_ref: `psim_${r.hex(12)}`,
    },
  };
}

export interface TicketDraft {
  subject?: string;
  description?: string;
  status?: TicketStatus;
  priority?: TicketPriority;
  createdMs?: number;
  comments?: number;
}

/** Adds a ticket and its comments to the store; comments_count and updated_at follow the comments. */
export function seedTicket(
  store: SandboxStore,
  r: Random,
  { customer, sinceMs }: Owner,
  draft: TicketDraft = {},
): { ticket: Ticket; comments: Comment[] } {
  const [subject, description] = r.pick(TICKET_TOPICS);
  const createdMs = draft.createdMs ?? between(r, sinceMs, SEED_END_MS);
  const status = draft.status ?? r.weighted(TICKET_STATUS_WEIGHTS);
  const assignee = status === "open" && r.chance(0.4) ? null : r.chance(0.1) ? null : r.pick(SANDBOX_AGENTS);
  const ticket: Ticket = {
    id: store.newId("tkt", r),
    customer_id: customer.id,
    subject: draft.subject ?? subject,
    description: draft.description ?? description,
    status,
    priority: draft.priority ?? r.weighted(PRIORITY_WEIGHTS),
    assignee: assignee ? { ...assignee } : null,
    channel: r.pick(CHANNELS),
    tags: r.sample(TICKET_TAGS, r.int(0, 2)),
    comments_count: 0,
    created_at: iso(createdMs),
    updated_at: iso(createdMs),
  };
  const comments: Comment[] = [];
  let at = createdMs;
  const count = draft.comments ?? r.int(0, 6);
  for (let i = 0; i < count; i++) {
    at = between(r, at + 60_000, at + 3 * DAY_MS);
    comments.push(buildComment(store, r, ticket, customer, at));
  }
  ticket.comments_count = comments.length;
  ticket.updated_at = iso(at);
  store.addTicket(ticket);
  for (const c of comments) store.addComment(c);
  return { ticket, comments };
}

function buildComment(
  store: SandboxStore,
  r: Random,
  ticket: Ticket,
  customer: Customer,
  atMs: number,
): Comment {
  const kind = r.weighted(AUTHOR_WEIGHTS);
  const agent = ticket.assignee ?? r.pick(SANDBOX_AGENTS);
  const internal = kind === "agent" && r.chance(0.25);
  const author =
    kind === "agent"
      ? { id: agent.id, name: agent.name, type: kind }
      : kind === "customer"
        ? { id: customer.id, name: customer.name, type: kind }
        : { id: "usr_system000001", name: "System", type: kind };
  const body =
    kind === "agent"
      ? r.pick(internal ? INTERNAL_REMARKS : AGENT_REPLIES)
      : kind === "customer"
        ? r.pick(CUSTOMER_REPLIES)
        : r.pick(SYSTEM_MESSAGES);
  return {
    id: store.newId("cmt", r),
    ticket_id: ticket.id,
    author,
    body,
    public: !internal,
    created_at: iso(atMs),
  };
}

export function buildNote(store: SandboxStore, r: Random, { customer, sinceMs }: Owner, body?: string): Note {
  return {
    id: store.newId("note", r),
    customer_id: customer.id,
    author: r.chance(0.2) ? customer.account_manager.name : r.pick(SANDBOX_AGENTS).name,
    body: body ?? r.pick(NOTE_BODIES),
    created_at: iso(between(r, sinceMs, SEED_END_MS)),
  };
}

/** Lifetime value follows the seeded ledger: succeeded charges less what was refunded from them. */
export function lifetimeValue(txns: readonly Transaction[] | undefined): number {
  let total = 0;
  for (const t of txns ?? []) {
    if (t.type === "charge" && t.status === "succeeded") total += t.amount - t.refunded_amount;
  }
  return total;
}
