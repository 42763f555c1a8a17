// The live in-memory data of one sandbox: maps by id for lookups, plus per-parent indexes kept in list order
// so list endpoints never sort or scan the whole data set.
import { Random } from "./random.js";
import type {
  Agent,
  Comment,
  CreatedCounts,
  Customer,
  Export,
  Note,
  Refund,
  SandboxFixtures,
  Segment,
  Ticket,
  Transaction,
  UpdatedCounts,
} from "./records.js";

interface Ordered {
  id: string;
  created_at: string;
}

/** created_at strings are all toISOString() output, so plain string comparison orders them correctly. */
export function newestFirst(a: Ordered, b: Ordered): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  if (a.id !== b.id) return a.id < b.id ? 1 : -1;
  return 0;
}

export function oldestFirst(a: Ordered, b: Ordered): number {
  return newestFirst(b, a);
}

function insertSorted<T>(list: T[], item: T, cmp: (a: T, b: T) => number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const probe = list[mid] as T;
    if (cmp(probe, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

function pushTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

export type IdPrefix = "cus" | "txn" | "re" | "tkt" | "cmt" | "note" | "seg" | "exp";

/** Export progress is derived from the clock; the job keeps what the derivation needs. */
export interface ExportJob {
  startedAtMs: number;
  /** Set when canceled; progress freezes at that instant. */
  canceledAtMs: number | null;
  /** Customer ids matched when the export was created (a snapshot, like a real export). */
  rowIds: string[];
}

const NO_FIXTURES: SandboxFixtures = {
  demoCustomerId: "",
  demoCustomerEmail: "",
  partiallyRefundedTransactionId: "",
  refundableTransactionId: "",
  fullyRefundedTransactionId: "",
  pendingTransactionId: "",
  openTicketIds: [],
  promptInjectionTicketId: "",
  unsafeNameCustomerId: "",
  unsafeCommentId: "",
};

export class SandboxStore {
  /** Every record in insertion order (seeded first, then API-created); customers[0] is Ada Lovelace. */
  readonly customers: Customer[] = [];
  readonly transactions: Transaction[] = [];
  readonly tickets: Ticket[] = [];
  readonly comments: Comment[] = [];
  readonly notes: Note[] = [];
  readonly refunds: Refund[] = [];
  readonly segments: Segment[] = [];
  readonly exports: Export[] = [];

  readonly customersById = new Map<string, Customer>();
  readonly transactionsById = new Map<string, Transaction>();
  readonly ticketsById = new Map<string, Ticket>();
  readonly commentsById = new Map<string, Comment>();
  readonly notesById = new Map<string, Note>();
  readonly refundsById = new Map<string, Refund>();
  readonly segmentsById = new Map<string, Segment>();
  readonly exportsById = new Map<string, Export>();
  readonly exportJobs = new Map<string, ExportJob>();
  readonly created: CreatedCounts = {
    notes: 0,
    tickets: 0,
    comments: 0,
    refunds: 0,
    transactions: 0,
    exports: 0,
  };

  readonly updated: UpdatedCounts = { customers: 0, tickets: 0, exports: 0 };
  fixtures: SandboxFixtures = NO_FIXTURES;

  /** Newest first. */
  readonly customerList: Customer[] = [];
  /** Newest first. */
  readonly ticketList: Ticket[] = [];
  /** Newest first. */
  readonly transactionsByCustomer = new Map<string, Transaction[]>();
  /** Newest first. */
  readonly ticketsByCustomer = new Map<string, Ticket[]>();
  /** Newest first. */
  readonly notesByCustomer = new Map<string, Note[]>();
  /** Oldest first. */
  readonly commentsByTicket = new Map<string, Comment[]>();

  readonly #agents: Map<string, Agent>;
  readonly #searchText = new Map<string, string>();
  readonly #byPrefix: Record<IdPrefix, ReadonlyMap<string, unknown>> = {
    cus: this.customersById,
    txn: this.transactionsById,
    re: this.refundsById,
    tkt: this.ticketsById,
    cmt: this.commentsById,
    note: this.notesById,
    seg: this.segmentsById,
    exp: this.exportsById,
  };

  readonly #ids: Random;
  #seeding = true;

  constructor(
    readonly seed: number,
    idSeed: number,
    agents: readonly Agent[],
  ) {
    this.#ids = new Random(idSeed);
    this.#agents = new Map(agents.map((a) => [a.id, a]));
  }

  get agents(): Agent[] {
    return [...this.#agents.values()];
  }

  agent(id: string): Agent | undefined {
    return this.#agents.get(id);
  }

  /** A fresh id with the contract prefix; ids for runtime records come from their own seeded stream. */
  newId(prefix: IdPrefix, random: Random = this.#ids): string {
    const taken = this.#byPrefix[prefix];
    for (;;) {
      const id = random.id(prefix, 14);
      if (!taken.has(id)) return id;
    }
  }

  /** Lower-cased text that `query` filters search, cached because records' searched fields never change. */
  searchText(id: string): string {
    return this.#searchText.get(id) ?? "";
  }

  addSegment(segment: Segment): void {
    this.segments.push(segment);
    this.segmentsById.set(segment.id, segment);
  }

  addCustomer(customer: Customer): void {
    this.customers.push(customer);
    this.customersById.set(customer.id, customer);
    this.#searchText.set(customer.id, `${customer.name}\n${customer.email}`.toLowerCase());
    this.#place(this.customerList, customer, newestFirst);
  }

  addTransaction(txn: Transaction): void {
    this.transactions.push(txn);
    this.transactionsById.set(txn.id, txn);
    this.#placeIn(this.transactionsByCustomer, txn.customer_id, txn, newestFirst);
    if (!this.#seeding) this.created.transactions++;
  }

  addTicket(ticket: Ticket): void {
    this.tickets.push(ticket);
    this.ticketsById.set(ticket.id, ticket);
    this.#searchText.set(ticket.id, `${ticket.subject}\n${ticket.description}`.toLowerCase());
    this.#place(this.ticketList, ticket, newestFirst);
    this.#placeIn(this.ticketsByCustomer, ticket.customer_id, ticket, newestFirst);
    if (!this.#seeding) this.created.tickets++;
  }

  addComment(comment: Comment): void {
    this.comments.push(comment);
    this.commentsById.set(comment.id, comment);
    this.#placeIn(this.commentsByTicket, comment.ticket_id, comment, oldestFirst);
    if (!this.#seeding) this.created.comments++;
  }

  addNote(note: Note): void {
    this.notes.push(note);
    this.notesById.set(note.id, note);
    this.#placeIn(this.notesByCustomer, note.customer_id, note, newestFirst);
    if (!this.#seeding) this.created.notes++;
  }

  addRefund(refund: Refund): void {
    this.refunds.push(refund);
    this.refundsById.set(refund.id, refund);
    if (!this.#seeding) this.created.refunds++;
  }

  addExport(exp: Export, job: ExportJob): void {
    this.exports.push(exp);
    this.exportsById.set(exp.id, exp);
    this.exportJobs.set(exp.id, job);
    if (!this.#seeding) this.created.exports++;
  }

  /** Seeding appends unsorted for speed; this sorts every index once and fixes the segment counts. */
  finishSeeding(fixtures: SandboxFixtures): void {
    this.customerList.sort(newestFirst);
    this.ticketList.sort(newestFirst);
    for (const list of this.transactionsByCustomer.values()) list.sort(newestFirst);
    for (const list of this.ticketsByCustomer.values()) list.sort(newestFirst);
    for (const list of this.notesByCustomer.values()) list.sort(newestFirst);
    for (const list of this.commentsByTicket.values()) list.sort(oldestFirst);
    const counts = new Map<string, number>();
    for (const c of this.customers) counts.set(c.segment_id, (counts.get(c.segment_id) ?? 0) + 1);
    for (const s of this.segments) s.customer_count = counts.get(s.id) ?? 0;
    this.fixtures = fixtures;
    this.#seeding = false;
  }

  #place<T extends Ordered>(list: T[], item: T, cmp: (a: T, b: T) => number): void {
    if (this.#seeding) list.push(item);
    else insertSorted(list, item, cmp);
  }

  #placeIn<T extends Ordered>(index: Map<string, T[]>, key: string, item: T, cmp: (a: T, b: T) => number) {
    if (this.#seeding) {
      pushTo(index, key, item);
      return;
    }
    const list = index.get(key);
    if (list) insertSorted(list, item, cmp);
    else index.set(key, [item]);
  }
}
