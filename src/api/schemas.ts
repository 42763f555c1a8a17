// zod schemas for the records of the customer API contract (../shared/customer-api.md). They list only the
// fields this server uses: zod strips the rest, so internal, risk and payment-fingerprint fields are dropped at
// the edge and cannot leak further in. Unknown fields are tolerated, as the contract asks of clients.
import { z } from "zod";
import { isIsoCurrency } from "./currency.js";

const timestamp = z.string().min(1);
/** The contract's id: a prefix (`cus`, `txn`, ...), an underscore, then 8–24 letters and digits. */
export function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}_[A-Za-z0-9]{8,24}$`);
}

const id = (prefix: string) => z.string().regex(idPattern(prefix));
/**
 * A lower-case ISO 4217 code. Any other code (`zzz`, `USD`) breaks the contract: money in it could not be shown
 * or limited honestly, since refund limits are kept per currency.
 */
const currency = z.string().refine(isIsoCurrency, "not a lower-case ISO 4217 currency code");

export const MoneySchema = z.object({
  amount: z.number().int(),
  currency,
});
export type Money = z.infer<typeof MoneySchema>;

// The contract's enums, each spelled once: views, tool parameters and upstream validation all use these.
export const CustomerStatusSchema = z.enum(["active", "inactive", "suspended"]);
export const TransactionTypeSchema = z.enum(["charge", "refund", "credit"]);
export const TransactionStatusSchema = z.enum(["succeeded", "pending", "failed"]);
export const ExportFormatSchema = z.enum(["csv", "jsonl"]);

export const AddressSchema = z.object({
  line1: z.string().nullish(),
  line2: z.string().nullish(),
  city: z.string().nullish(),
  region: z.string().nullish(),
  postal_code: z.string().nullish(),
  country: z.string().nullish(),
});

export const CustomerSchema = z.object({
  id: id("cus"),
  name: z.string(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  status: CustomerStatusSchema,
  segment_id: id("seg").nullish(),
  created_at: timestamp,
  updated_at: timestamp.nullish(),
  address: AddressSchema.nullish(),
  tax_id: z.string().nullish(),
  date_of_birth: z.string().nullish(),
  currency: z.string().nullish(),
  lifetime_value: MoneySchema.nullish(),
  tags: z.array(z.string()).nullish(),
  marketing_opt_in: z.boolean().nullish(),
  account_manager: z.object({ id: z.string(), name: z.string() }).nullish(),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const SegmentSchema = z.object({
  id: id("seg"),
  name: z.string(),
  description: z.string().nullish(),
  customer_count: z.number().int().nonnegative(),
});
export type Segment = z.infer<typeof SegmentSchema>;

export const TransactionSchema = z.object({
  id: id("txn"),
  customer_id: id("cus"),
  type: TransactionTypeSchema,
  status: TransactionStatusSchema,
  amount: z.number().int(),
  currency,
  refunded_amount: z.number().int().nonnegative().nullish(),
  description: z.string().nullish(),
  // Only brand and last4 are read: the fingerprint is an identifier agents have no use for.
  payment_method: z.object({ brand: z.string().nullish(), last4: z.string().nullish() }).nullish(),
  created_at: timestamp,
});
export type Transaction = z.infer<typeof TransactionSchema>;

/** The contract's list envelope. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().min(1).nullable() });
}
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const RefundStatusSchema = z.enum(["pending", "succeeded", "failed"]);
export const RefundReasonSchema = z.enum([
  "duplicate",
  "fraudulent",
  "requested_by_customer",
  "service_issue",
]);

export const RefundSchema = z.object({
  id: id("re"),
  transaction_id: id("txn"),
  customer_id: id("cus"),
  amount: z.number().int(),
  currency,
  reason: RefundReasonSchema,
  status: RefundStatusSchema,
  note: z.string().nullish(),
  created_at: timestamp,
});
export type Refund = z.infer<typeof RefundSchema>;

export const TicketStatusSchema = z.enum(["open", "pending", "solved", "closed"]);
export const TicketPrioritySchema = z.enum(["low", "normal", "high", "urgent"]);
export const TicketChannelSchema = z.enum(["email", "chat", "phone", "web"]);
export const CommentAuthorTypeSchema = z.enum(["agent", "customer", "system"]);

export const TicketSchema = z.object({
  id: id("tkt"),
  customer_id: id("cus"),
  subject: z.string(),
  description: z.string().nullish(),
  status: TicketStatusSchema,
  priority: TicketPrioritySchema,
  assignee: z.object({ id: z.string(), name: z.string() }).nullish(),
  channel: TicketChannelSchema.nullish(),
  tags: z.array(z.string()).nullish(),
  comments_count: z.number().int().nonnegative().nullish(),
  created_at: timestamp,
  updated_at: timestamp.nullish(),
});
export type Ticket = z.infer<typeof TicketSchema>;

export const CommentSchema = z.object({
  id: id("cmt"),
  ticket_id: id("tkt"),
  author: z.object({
    id: z.string().nullish(),
    name: z.string(),
    type: CommentAuthorTypeSchema,
  }),
  body: z.string(),
  public: z.boolean(),
  created_at: timestamp,
});
export type Comment = z.infer<typeof CommentSchema>;

export const NoteSchema = z.object({
  id: id("note"),
  customer_id: id("cus"),
  author: z.string(),
  body: z.string(),
  created_at: timestamp,
});
export type Note = z.infer<typeof NoteSchema>;

export const ExportStatusSchema = z.enum(["queued", "running", "succeeded", "failed", "canceled"]);

export const ExportSchema = z.object({
  id: id("exp"),
  status: ExportStatusSchema,
  progress: z.number().min(0).max(1),
  format: ExportFormatSchema,
  filter: z.object({ segment_id: z.string().nullish(), status: CustomerStatusSchema.nullish() }).nullish(),
  row_count: z.number().int().nonnegative().nullable(),
  created_at: timestamp,
  finished_at: timestamp.nullable(),
});
export type Export = z.infer<typeof ExportSchema>;

/** A write's result: the record, and whether the API replayed an earlier identical write. */
export interface Written<T> {
  record: T;
  replayed: boolean;
}
