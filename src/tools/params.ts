// Parameters shared by several tools, described once so every tool explains them the same way. Each description
// is paid for in every tool that takes the parameter, on every session: it says where a value comes from, and
// leaves the shape to the schema (the id pattern, the date-time format, the bounds).
import { z } from "zod";
import { idPattern } from "../api/schemas.js";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** Largest `limit` accepted at all: anything up to it is clamped to MAX_PAGE_SIZE, so every number is bounded. */
export const MAX_LIMIT_ARGUMENT = 10_000;

export const ParamCustomerId = z
  .string()
  .trim()
  .regex(idPattern("cus"), {
    error: "must be a customer id like cus_8f2k1x9q7a (find one with search_customers)",
  })
  .describe("Find it with search_customers.");

export const ParamSegmentId = z
  .string()
  .trim()
  .regex(idPattern("seg"), {
    error: "must be a segment id like seg_a1b2c3d4 (see the customer://segments resource)",
  })
  .describe("From list_segments or the customer://segments resource.");

export const ParamTicketId = z
  .string()
  .trim()
  .regex(idPattern("tkt"), {
    error: "must be a ticket id like tkt_4f8k2m9x (find one with search_tickets)",
  })
  .describe("Find it with search_tickets.");

export const ParamTransactionId = z
  .string()
  .trim()
  .regex(idPattern("txn"), {
    error: "must be a transaction id like txn_8f2k1x9q7a (find one with list_transactions or get_customer_overview)",
  })
  .describe("From get_customer_overview or list_transactions.");

export const ParamLimit = z
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT_ARGUMENT)
  .optional()
  .transform((value) => Math.min(value ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE))
  .describe(`Page size (default ${DEFAULT_PAGE_SIZE}; above ${MAX_PAGE_SIZE} counts as ${MAX_PAGE_SIZE}).`);

export const ParamCursor = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .describe("next_cursor of the previous page; omit for the first.");

/** The longest form, nanoseconds and an offset, is 35 characters; the cap bounds the unbounded fraction. */
export const ParamTimestamp = z.iso
  .datetime({
    offset: true,
    error: "must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z",
  })
  .max(40, { error: "must be an ISO 8601 timestamp such as 2026-01-31T00:00:00Z" });
