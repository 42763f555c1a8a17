// The policy an AppContext carries: the grant, and how data is presented to the model under it. Without the
// customers:pii scope, every email, phone, address, tax id and date of birth is masked wherever it appears in
// a result, a resource or a prompt, and free text is scrubbed of email addresses and phone numbers.
import { type AccessSettings, type Grant, grantOf } from "./access.js";
import { MASK, MASKED_DATE_OF_BIRTH, maskAddress, maskDateOfBirth, maskEmail, maskPhone, maskTaxId, PII_FIELDS, redactPiiInText } from "./pii.js";

export interface Policy {
  readonly grant: Grant;
  readonly canSeePii: boolean;
  /** `data` as the model may see it: PII fields masked (deeply) unless customers:pii is granted. */
  present<T>(data: T): T;
  /** Free text (an export file, a prompt) with email addresses and phone numbers masked unless PII is granted. */
  presentText(text: string): string;
}

const MASKERS: Record<(typeof PII_FIELDS)[number], (value: string) => string> = {
  email: maskEmail,
  phone: maskPhone,
  address: maskAddress,
  tax_id: maskTaxId,
  date_of_birth: maskDateOfBirth,
};
const PII_KEYS: ReadonlySet<string> = new Set(PII_FIELDS);

function maskDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (PII_KEYS.has(key) && item !== null && item !== undefined) {
      out[key] = typeof item === "string" ? MASKERS[key as keyof typeof MASKERS](item) : key === "date_of_birth" ? MASKED_DATE_OF_BIRTH : MASK;
    } else {
      out[key] = maskDeep(item);
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
    present: <T>(data: T): T => (canSeePii ? data : (maskDeep(data) as T)),
    presentText: (text) => (canSeePii ? text : redactPiiInText(text)),
  };
}
