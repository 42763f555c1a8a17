// Money as agents should see it: exact minor units for arithmetic plus a display string for people.
import { z } from "zod";

// The id makes output schemas define Money once under $defs instead of inlining it at every amount.
export const MoneyView = z
  .object({
    amount: z.number().int().describe("Minor units (cents for usd)."),
    currency: z.string(),
    display: z.string(),
  })
  .meta({ id: "Money" });
export type MoneyView = z.infer<typeof MoneyView>;

// Intl formatters are costly to build and immutable, so one per currency is memoised for the process.
const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    try {
      formatter = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
    } catch {
      // An unknown code still gets a readable amount, assuming two decimals.
      formatter = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    formatters.set(currency, formatter);
  }
  return formatter;
}

export function moneyView(amount: number, currency: string): MoneyView {
  const formatter = formatterFor(currency);
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  const display = formatter.format(amount / 10 ** digits);
  return {
    amount,
    currency,
    display:
      formatter.resolvedOptions().style === "currency" ? display : `${display} ${currency.toUpperCase()}`,
  };
}
