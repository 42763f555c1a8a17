// PII masking for customer views and free text: keeps just enough for an agent to recognise a record (an email's
// first letter and domain, a phone's last four digits) and never the value itself.
//
// Every function is total (never throws, whatever reaches it at run time) and idempotent: masking a masked value
// returns the same masked value, so masking twice along a pipeline is harmless and never reveals more.

/** Fields of a customer view that are masked unless the caller holds the `customers:pii` scope. */
export const PII_FIELDS = ["email", "phone", "address", "tax_id", "date_of_birth"] as const;
export type PiiField = (typeof PII_FIELDS)[number];

/**
 * The PII field a key or column name holds, for records whose shape this server does not define (export files
 * from the API) as well as its own views: `email`, `contact_email`, `phone`, `mobile`, `address_line1`, `city`,
 * `postal_code`, `tax_id`, `ssn`, `dob`, `birth_date`, ... Names are compared lower-case with separators folded to
 * `_`. Over-matching masks a harmless column; under-matching would leak one, so the patterns are broad.
 */
export function piiFieldOf(name: string): PiiField | undefined {
  const key = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_");
  if (/(^|_)e?_?mail(_|$)|email/.test(key)) return "email";
  if (/phone|mobile|(^|_)(tel|fax|msisdn)(_|$)/.test(key)) return "phone";
  if (/birth|(^|_)dob(_|$)/.test(key)) return "date_of_birth";
  if (/tax|(^|_)(ssn|tin|vat|nin|national_id|passport)(_|$)/.test(key)) return "tax_id";
  if (/addr|street|(^|_)(line[12]|city|region|state|province|postal|postcode|zip|zip_code)(_|$)/.test(key)) {
    return "address";
  }
  return undefined;
}

/** What every masker returns when it cannot keep anything safely. */
export const MASK = "***";

/** Masked date of birth: the shape of an ISO date with nothing in it. */
export const MASKED_DATE_OF_BIRTH = "****-**-**";

// A tail is shown only when at least this many characters stay hidden, so a short value (an extension, a
// truncated id) is never shown whole under the name of a "last four".
const MIN_HIDDEN = 3;
const PHONE_TAIL = 4;
const TAX_ID_TAIL = 2;

const MASKED_PHONE = /^\*{3}-\*{3}-\d{4}$/;
const MASKED_TAX_ID = /^\*{3}[A-Za-z0-9]{2}$/;
const COUNTRY_CODE = /^[A-Z]{2,3}$/;

/**
 * `"john.smith@example.com"` → `"j***@example.com"`: the first character of the local part, then `***`, then the
 * domain. Anything without a usable local part and domain (no `@`, empty side, whitespace in the domain) → `"***"`.
 */
export function maskEmail(email: string): string {
  if (typeof email !== "string") return MASK;
  const value = email.trim();
  // The last `@` separates the domain: a quoted local part may itself contain `@`, a domain never does.
  const at = value.lastIndexOf("@");
  if (at <= 0) return MASK;
  const domain = value.slice(at + 1);
  if (domain === "" || /\s/.test(domain)) return MASK;
  // By code point, so an astral first character (an emoji, a rare CJK letter) is never cut in half.
  const first = String.fromCodePoint(value.codePointAt(0) ?? 0x2a);
  return `${first}${MASK}@${domain}`;
}

/**
 * `"+1-555-0162-0147"` → `"***-***-0147"`: the last four digits in a fixed format, whatever the input format.
 * Fewer than seven digits (the last four would be most of the number) → `"***"`.
 */
export function maskPhone(phone: string): string {
  if (typeof phone !== "string") return MASK;
  const value = phone.trim();
  if (MASKED_PHONE.test(value)) return value;
  // ASCII digits only: other scripts' digits are not counted, so they are never shown either.
  const digits = value.replace(/[^0-9]/g, "");
  if (digits.length < PHONE_TAIL + MIN_HIDDEN) return MASK;
  return `***-***-${digits.slice(-PHONE_TAIL)}`;
}

/**
 * `"8465 Oak Court, 07588 Madison, WI, US"` → `"***, US"`: only the last comma-separated part, and only when it is
 * an ISO country code (two or three capital letters). A spelled-out last part cannot be told apart from a city or
 * street, so it is masked too: `"12 Main St, Springfield"` → `"***"`.
 */
export function maskAddress(address: string): string {
  if (typeof address !== "string") return MASK;
  const parts = address.split(",");
  const last = (parts[parts.length - 1] ?? "").trim();
  if (parts.length < 2 || !COUNTRY_CODE.test(last)) return MASK;
  return `${MASK}, ${last}`;
}

/**
 * `"00-7648761"` → `"***61"`: `***` then the last two letters or digits, separators dropped. Fewer than five
 * letters and digits → `"***"`.
 */
export function maskTaxId(taxId: string): string {
  if (typeof taxId !== "string") return MASK;
  const value = taxId.trim();
  if (MASKED_TAX_ID.test(value)) return value;
  const significant = value.replace(/[^A-Za-z0-9]/g, "");
  if (significant.length < TAX_ID_TAIL + MIN_HIDDEN) return MASK;
  return `${MASK}${significant.slice(-TAX_ID_TAIL)}`;
}

/**
 * `"1962-02-11"` → `"****-**-**"`, always. Not even the year is kept: with a name it narrows a small set of
 * customers to one, and a birth date is a common identity-verification question.
 */
export function maskDateOfBirth(_dateOfBirth: string): string {
  return MASKED_DATE_OF_BIRTH;
}

export const MASKERS: Readonly<Record<PiiField, (value: string) => string>> = {
  email: maskEmail,
  phone: maskPhone,
  address: maskAddress,
  tax_id: maskTaxId,
  date_of_birth: maskDateOfBirth,
};

/**
 * A shallow copy of `view` with each PII field that is present and non-null masked by its function. `null` and
 * absent fields stay as they are; every other field is copied unchanged.
 */
export function maskCustomerPii<T extends Partial<Record<PiiField, string | null>>>(view: T): T {
  const masked: Record<string, unknown> = { ...view };
  for (const field of PII_FIELDS) {
    const value = masked[field];
    // Anything non-null is masked, even a non-string that slipped past a schema: the maskers turn it into "***".
    if (value !== null && value !== undefined) masked[field] = MASKERS[field](value as string);
  }
  return masked as T;
}

// Patterns for redactPiiInText, tried left to right at each position. Each is linear by construction:
// - no quantified group contains another quantifier over characters the group's own delimiter can also match,
//   so every string splits into labels/digit groups in one way only and a failed attempt backtracks linearly;
// - an unbounded run (an email's local part) is tried only from the start of the run: the lookbehind rejects
//   every later start in O(1), so a long run without `@` is scanned once, not once per character;
// - a phone attempt that fails has seen at most six digits (seven would have matched), so it is bounded.
// ISO dates and timestamps come first and are kept as they are; otherwise "2026-06-01" (eight digits with
// separators) would be masked as a phone number and logs would lose every timestamp.
// Letters and digits of any script count as word characters, so an internationalised address is masked whole.
const ISO_DATE = String.raw`(?<![\p{L}\p{N}_])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?`;
// The domain needs no dot: an address cut short ("zach.smith@exa…") or on an intranet host is still one.
const EMAIL = String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*`;
const PHONE = String.raw`(?<![\p{L}\p{N}_])[+(]?\d(?:[ .()-]{0,2}\d){6,}`;
const PII_IN_TEXT = new RegExp(`(${ISO_DATE})|(${EMAIL})|(${PHONE})`, "gu");

/**
 * Masks email addresses and phone-like numbers (seven or more digits, optionally with spaces, dots, dashes or
 * parentheses between them, optionally after `+`) anywhere in `text`, for logs and free text. Emails become
 * `maskEmail` output and numbers `maskPhone` output. ISO dates and timestamps are kept. A best-effort filter:
 * it also masks other long numbers (order numbers, IP addresses) and does not find names, addresses or birth dates.
 */
export function redactPiiInText(text: string): string {
  if (typeof text !== "string") return "";
  return text.replace(PII_IN_TEXT, (match: string, date?: string, email?: string) => {
    if (date !== undefined) return match;
    if (email !== undefined) return maskEmail(match);
    return maskPhone(match);
  });
}
