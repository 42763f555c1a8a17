// Compact, stable views of customer records. Only the fields listed here reach the model; upstream internal,
// risk and metadata fields are never mapped, so they cannot leak.
import { z } from "zod";
import { CustomerStatusSchema } from "../api/schemas.js";
import type { Customer } from "../api/index.js";
import { MoneyView, moneyView } from "./money.js";
import { labelsField, UntrustedTextView, untrustedText } from "./text.js";

// A name is short; longer is not a name, and the limit bounds what one record can put in every list.
const NAME_LIMIT = 200;

export const CustomerSummaryView = z.object({
  id: z.string(),
  // Customers type their own name at sign-up, so it is marked like any other customer-written text.
  name: UntrustedTextView,
  email: z.string().nullable(),
  status: CustomerStatusSchema,
  segment_id: z.string().nullable(),
  created_at: z.string(),
});
export type CustomerSummaryView = z.infer<typeof CustomerSummaryView>;

export const CustomerView = CustomerSummaryView.extend({
  phone: z.string().nullable(),
  address: z.string().nullable(),
  tax_id: z.string().nullable(),
  date_of_birth: z.string().nullable(),
  lifetime_value: MoneyView.nullable(),
  // Tags and the account manager's name are typed by people into other systems, so they are marked like any
  // free text. The address is customer-written but stays a string because PII masking works on strings; it is
  // masked unless customers:pii is granted, so only a PII-granted session sees its text unmarked.
  tags: UntrustedTextView.optional(),
  marketing_opt_in: z.boolean().nullable(),
  account_manager: UntrustedTextView.nullable(),
});
export type CustomerView = z.infer<typeof CustomerView>;

/** A customer's name as every view shows it: clipped and marked as customer-written. */
export function customerNameView(name: string): UntrustedTextView {
  return untrustedText(name, "customer", NAME_LIMIT);
}

export function customerSummaryView(customer: Customer): CustomerSummaryView {
  return {
    id: customer.id,
    name: customerNameView(customer.name),
    email: customer.email ?? null,
    status: customer.status,
    segment_id: customer.segment_id ?? null,
    created_at: customer.created_at,
  };
}

export function customerView(customer: Customer): CustomerView {
  return {
    ...customerSummaryView(customer),
    phone: customer.phone ?? null,
    address: formatAddress(customer.address),
    tax_id: customer.tax_id ?? null,
    date_of_birth: customer.date_of_birth ?? null,
    lifetime_value: customer.lifetime_value
      ? moneyView(customer.lifetime_value.amount, customer.lifetime_value.currency)
      : null,
    ...labelsField(customer.tags),
    marketing_opt_in: customer.marketing_opt_in ?? null,
    account_manager: customer.account_manager?.name ? untrustedText(customer.account_manager.name, "staff", NAME_LIMIT) : null,
  };
}

function formatAddress(address: Customer["address"]): string | null {
  if (!address) return null;
  const cityLine = [address.postal_code, address.city].filter(Boolean).join(" ");
  const parts = [address.line1, address.line2, cityLine, address.region, address.country].filter(
    (part): part is string => typeof part === "string" && part.trim() !== "",
  );
  return parts.length ? parts.join(", ") : null;
}
