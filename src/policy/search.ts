// Text search that is no oracle on masked data. The API matches `query` against fields some callers may only see
// masked (a customer's email, an email typed into a ticket); a caller could otherwise rebuild a hidden value by
// extending a guess one character at a time and watching which records come back. Without customers:pii, a
// record found by text is kept only when the query appears in what this caller is shown of the searched fields:
// a name, the visible part of an email (its first letter and domain), free text with its PII masked.
import type { Policy } from "./index.js";
import { MASKERS, type PiiField } from "./pii.js";

/** One field the API's text search looks at, and the PII field it is masked as (when it is one). */
export interface SearchedField {
  text: string | null | undefined;
  pii?: PiiField;
}

/**
 * A filter keeping the records whose searched fields, as this caller sees them, contain `query`
 * (case-insensitive). Every record passes when there is no query or the caller may see PII.
 */
export function visibleMatches<T>(
  policy: Policy,
  query: string | undefined,
  searched: (record: T) => readonly SearchedField[],
): (record: T) => boolean {
  const needle = query?.trim().toLowerCase();
  if (!needle || policy.canSeePii) return () => true;
  return (record) =>
    searched(record).some(({ text, pii }) => {
      if (typeof text !== "string" || text === "") return false;
      const shown = pii ? MASKERS[pii](text) : policy.presentText(text);
      return shown.toLowerCase().includes(needle);
    });
}

/** The fields the API searches: customers by name and email, tickets by subject and description. */
export const CUSTOMER_SEARCH_FIELDS = (customer: { name: string; email?: string | null }): SearchedField[] => [
  { text: customer.name },
  { text: customer.email, pii: "email" },
];
export const TICKET_SEARCH_FIELDS = (ticket: { subject: string; description?: string | null }): SearchedField[] => [
  { text: ticket.subject },
  { text: ticket.description },
];
