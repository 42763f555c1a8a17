// Which currency codes are money: the ISO 4217 codes the runtime's ICU data knows (Node 20 ships about 160
// current ones). The contract writes them lower-case. A code outside this list is not a currency this server
// formats, limits or refunds in: an upstream that sends one breaks the contract (src/api/schemas.ts), and the
// refund limits refuse it even if a caller got past the schemas (src/policy/refund-limits.ts).

let known: ReadonlySet<string> | undefined;

/** The lower-case ISO 4217 codes, read once from Intl on first use. */
export function isoCurrencies(): ReadonlySet<string> {
  known ??= new Set(Intl.supportedValuesOf("currency").map((code) => code.toLowerCase()));
  return known;
}

/** True for a lower-case ISO 4217 code such as `usd`; false for `USD`, `zzz` or anything else. */
export function isIsoCurrency(code: string): boolean {
  return isoCurrencies().has(code);
}
