// The policy an AppContext carries: the grant, and how data is presented to the model under it. Every string
// loses control and invisible characters (they can hide instructions from the people reading along) and is
// clipped. Without the customers:pii scope, every email, phone, address, tax id and date of birth is masked
// wherever it appears: in the PII fields of a result, a resource or a prompt, inside free text written by
// customers or staff (the `{untrusted, text}` fields), in export files by column or key, and in searches, which
// may only match what the caller can see (src/policy/search.ts).
import { type AccessSettings, type Grant, grantOf } from "./access.js";
import { presentExportFile } from "./export-files.js";
import { MASK, MASKED_DATE_OF_BIRTH, MASKERS, PII_FIELDS, redactPiiInText } from "./pii.js";
import { clipText, sanitizeText } from "./untrusted.js";

export interface Policy {
  readonly grant: Grant;
  readonly canSeePii: boolean;
  /**
   * `data` as the model may see it: strings sanitized and clipped; without customers:pii, PII fields masked and
   * emails and phone numbers masked inside free text, at any depth.
   */
  present<T>(data: T): T;
  /** Free text (a prompt, a title), sanitized, with emails and phone numbers masked unless PII is granted. */
  presentText(text: string): string;
  /** An export file: every cell sanitized; without PII, PII columns (CSV) or keys (JSON Lines) masked. */
  presentFile(text: string, format: "csv" | "jsonl"): string;
}

const PII_KEYS: ReadonlySet<string> = new Set(PII_FIELDS);

/**
 * No upstream string reaches the model longer than this. Views clip free text to at most 2,000 characters
 * (plus a note saying how much was cut); this catches every field a view does not clip, so one hostile record
 * cannot fill a result. The response budget (src/policy/budget.ts) then bounds the result as a whole.
 */
export const MAX_PRESENTED_STRING = 2_100;

/** `{ untrusted, text }`: free text written by customers or staff (src/views/text.ts). */
function isUntrustedText(value: Record<string, unknown>): value is { untrusted: string; text: string } {
  return typeof value.untrusted === "string" && typeof value.text === "string";
}

function maskedValue(key: string, value: unknown): unknown {
  if (typeof value === "string") return MASKERS[key as keyof typeof MASKERS](value);
  return key === "date_of_birth" ? MASKED_DATE_OF_BIRTH : MASK;
}

/** Sanitizes and clips every string; with `maskPii`, also masks PII keys and PII inside free text. One walk. */
function presentDeep(value: unknown, maskPii: boolean): unknown {
  if (typeof value === "string") return clipText(sanitizeText(value), MAX_PRESENTED_STRING);
  if (Array.isArray(value)) return value.map((item) => presentDeep(item, maskPii));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (maskPii && PII_KEYS.has(key) && item !== null && item !== undefined) out[key] = maskedValue(key, item);
    else out[key] = presentDeep(item, maskPii);
  }
  // A customer can type an email or a phone number into a ticket, a name or a comment; the PII fields are
  // masked, so the same value in their free text must be too. Masked before it is clipped, so a clip cannot
  // leave half an address that no longer looks like one.
  if (maskPii && isUntrustedText(record)) {
    out.text = clipText(redactPiiInText(sanitizeText(record.text)), MAX_PRESENTED_STRING);
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
    presentFile: (text, format) => presentExportFile(text, format, !canSeePii),
  };
}
