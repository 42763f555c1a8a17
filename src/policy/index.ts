// The policy an AppContext carries: the grant, and how data is presented to the model under it. Every string
// loses control and invisible characters (they can hide instructions from the people reading along). Without
// the customers:pii scope, every email, phone, address, tax id and date of birth is masked wherever it appears
// in a result, a resource or a prompt, and free text is scrubbed of email addresses and phone numbers.
import { type AccessSettings, type Grant, grantOf } from "./access.js";
import { sanitizeText } from "./untrusted.js";
import { MASK, MASKED_DATE_OF_BIRTH, maskAddress, maskDateOfBirth, maskEmail, maskPhone, maskTaxId, PII_FIELDS, redactPiiInText } from "./pii.js";

export interface Policy {
  readonly grant: Grant;
  readonly canSeePii: boolean;
  /** `data` as the model may see it: strings sanitized, PII fields masked (deeply) unless customers:pii is granted. */
  present<T>(data: T): T;
  /** Free text (an export file, a prompt), sanitized, with emails and phone numbers masked unless PII is granted. */
  presentText(text: string): string;
  /** A file (an export) byte for byte, except emails and phone numbers masked unless PII is granted. */
  presentFile(text: string): string;
}

const MASKERS: Record<(typeof PII_FIELDS)[number], (value: string) => string> = {
  email: maskEmail,
  phone: maskPhone,
  address: maskAddress,
  tax_id: maskTaxId,
  date_of_birth: maskDateOfBirth,
};
const PII_KEYS: ReadonlySet<string> = new Set(PII_FIELDS);

/** Sanitizes every string; with `maskPii`, also masks the values of PII keys. One walk does both. */
function presentDeep(value: unknown, maskPii: boolean): unknown {
  if (typeof value === "string") return sanitizeText(value);
  if (Array.isArray(value)) return value.map((item) => presentDeep(item, maskPii));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (maskPii && PII_KEYS.has(key) && item !== null && item !== undefined) {
      out[key] = typeof item === "string" ? MASKERS[key as keyof typeof MASKERS](item) : key === "date_of_birth" ? MASKED_DATE_OF_BIRTH : MASK;
    } else {
      out[key] = presentDeep(item, maskPii);
    }
  }
  return out;
}

export function createPolicy(access: AccessSettings): Policy {
  const grant = grantOf(access);
  const canSeePii = grant.has("customers:pii");
  return {
    grant,
    canSeePii,
    present: <T>(data: T): T => presentDeep(data, !canSeePii) as T,
    presentText: (text) => (canSeePii ? sanitizeText(text) : redactPiiInText(sanitizeText(text))),
    // Files keep their line endings and bytes: a CSV's CRLF rows are part of its format.
    presentFile: (text) => (canSeePii ? text : redactPiiInText(text)),
  };
}
