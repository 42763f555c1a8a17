// Compact, stable views of customer records. Only the fields listed here reach the model; upstream internal,
// risk and metadata fields are never mapped, so they cannot leak.
import { z } from "zod";
import type { Customer } from "../api/index.js";
import { MoneyView, moneyView } from "./money.js";

export const CustomerSummaryView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  status: z.enum(["active", "inactive", "suspended"]),
  segment_id: z.string().nullable(),
  created_at: z.string(),
});
export type CustomerSummaryView = z.infer<typeof CustomerSummaryView>;

export const CustomerView = CustomerSummaryView.extend({
  phone: z.string().nullable(),
  address: z.string().nullable().describe("Postal address on one line."),
  tax_id: z.string().nullable(),
  date_of_birth: z.string().nullable(),
  lifetime_value: MoneyView.nullable(),
  tags: z.array(z.string()),
  marketing_opt_in: z.boolean().nullable(),
  account_manager: z.string().nullable().describe("Name of the customer's account manager."),
});
export type CustomerView = z.infer<typeof CustomerView>;

export function customerSummaryView(customer: Customer): CustomerSummaryView {
  return {
    id: customer.id,
    name: customer.name,
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
    tags: customer.tags ?? [],
    marketing_opt_in: customer.marketing_opt_in ?? null,
    account_manager: customer.account_manager?.name ?? null,
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
