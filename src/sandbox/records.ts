// Raw record shapes the sandbox stores and serves: the full verbose contract records, internal fields included.

export type CustomerStatus = "active" | "inactive" | "suspended";
export type TransactionType = "charge" | "refund" | "credit";
export type TransactionStatus = "succeeded" | "pending" | "failed";
export type RefundReason = "duplicate" | "fraudulent" | "requested_by_customer" | "service_issue";
export type TicketStatus = "open" | "pending" | "solved" | "closed";
export type TicketPriority = "low" | "normal" | "high" | "urgent";
export type TicketChannel = "email" | "chat" | "phone" | "web";
export type ExportStatus = "queued" | "running" | "succeeded" | "failed" | "canceled";
export type ExportFormat = "csv" | "jsonl";

export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ["active", "inactive", "suspended"];
export const TRANSACTION_TYPES: readonly TransactionType[] = ["charge", "refund", "credit"];
export const TRANSACTION_STATUSES: readonly TransactionStatus[] = ["succeeded", "pending", "failed"];
export const REFUND_REASONS: readonly RefundReason[] = [
  "duplicate",
  "fraudulent",
  "requested_by_customer",
  "service_issue",
];
export const TICKET_STATUSES: readonly TicketStatus[] = ["open", "pending", "solved", "closed"];
export const TICKET_PRIORITIES: readonly TicketPriority[] = ["low", "normal", "high", "urgent"];
export const TICKET_CHANNELS: readonly TicketChannel[] = ["email", "chat", "phone", "web"];

export interface Money {
  amount: number;
  currency: string;
}

export interface Address {
  line1: string;
  /** null when the address has no second line. */
  line2: string | null;
  city: string;
  region: string;
  postal_code: string;
  country: string;
}

export interface CustomerInternal {
  legacy_id: string;
  crm_sync_state: "synced" | "pending" | "failed";
  shard: string;
  row_version: number;
  etl_batch: string;
  source_system: string;
  feature_flags: {
    new_billing_ui: boolean;
    beta_exports: boolean;
    legacy_invoicing: boolean;
    sso_enforced: boolean;
  };
  last_synced_at: string;
  pii_vault_ref: string;
  data_residency: "us" | "eu";
  fraud_model_version: string;
  kyc_status: "verified" | "pending" | "not_required";
  ledger_account: string;
  dedupe_hash: string;
  last_status_change: { from: CustomerStatus; to: CustomerStatus; reason: string; at: string } | null;
}

export interface Customer {
  id: string;
  object: "customer";
  name: string;
  email: string;
  phone: string;
  status: CustomerStatus;
  segment_id: string;
  created_at: string;
  updated_at: string;
  address: Address;
  tax_id: string;
  date_of_birth: string;
  currency: string;
  lifetime_value: Money;
  tags: string[];
  marketing_opt_in: boolean;
  account_manager: { id: string; name: string; email: string };
  risk: { score: number; flags: string[]; last_reviewed_at: string };
  internal: CustomerInternal;
  metadata: Record<string, string>;
}

export interface Segment {
  id: string;
  name: string;
  description: string;
  customer_count: number;
}

export interface PaymentMethod {
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
}

export interface Transaction {
  id: string;
  customer_id: string;
  type: TransactionType;
  status: TransactionStatus;
  amount: number;
  currency: string;
  refunded_amount: number;
  description: string;
  payment_method: PaymentMethod;
  created_at: string;
  metadata: Record<string, string>;
}

export interface Refund {
  id: string;
  transaction_id: string;
  customer_id: string;
  amount: number;
  currency: string;
  reason: RefundReason;
  status: "pending" | "succeeded" | "failed";
  note: string | null;
  created_at: string;
}

export interface Agent {
  id: string;
  name: string;
}

export interface Ticket {
  id: string;
  customer_id: string;
  subject: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  assignee: Agent | null;
  channel: TicketChannel;
  tags: string[];
  comments_count: number;
  created_at: string;
  updated_at: string;
}

export interface Comment {
  id: string;
  ticket_id: string;
  author: { id: string; name: string; type: "agent" | "customer" | "system" };
  body: string;
  public: boolean;
  created_at: string;
}

export interface Note {
  id: string;
  customer_id: string;
  author: string;
  body: string;
  created_at: string;
}

export interface Export {
  id: string;
  status: ExportStatus;
  progress: number;
  format: ExportFormat;
  filter: { segment_id?: string; status?: CustomerStatus };
  row_count: number | null;
  created_at: string;
  finished_at: string | null;
}

/** Records created through the API (seeded records are not counted). */
export interface CreatedCounts {
  notes: number;
  tickets: number;
  comments: number;
  refunds: number;
  /** Refunds also book a `refund` transaction, counted here. */
  transactions: number;
  exports: number;
}

/** Records changed through the API. */
export interface UpdatedCounts {
  customers: number;
  tickets: number;
  exports: number;
}

/** Ids of hand-made fixtures that tests and demos rely on; all deterministic per seed. */
export interface SandboxFixtures {
  /** "Ada Lovelace", always the first customer inserted. */
  demoCustomerId: string;
  demoCustomerEmail: string;
  /** Ada's succeeded charge of 12900 usd with 4900 already refunded. */
  partiallyRefundedTransactionId: string;
  /** Ada's succeeded charge of 4999 usd with nothing refunded. */
  refundableTransactionId: string;
  /** Ada's succeeded charge of 2500 usd, fully refunded. */
  fullyRefundedTransactionId: string;
  /** Ada's pending charge (not refundable: 409). */
  pendingTransactionId: string;
  /** Ada's two open tickets. */
  openTicketIds: string[];
  /** The one ticket whose description tries to instruct an AI. */
  promptInjectionTicketId: string;
  /** Customer whose name holds a zero-width space (U+200B) and a control character (U+0007). */
  unsafeNameCustomerId: string;
  /** Comment whose body holds a zero-width space (U+200B) and a control character (U+0007). */
  unsafeCommentId: string;
}
