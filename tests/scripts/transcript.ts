// What a person reading the demo's transcript must see: every section, in order, and no value a program leaked
// instead of formatting (undefined, NaN, [object Object]).
import { expect } from "vitest";
import { DEMO_STEPS } from "../../scripts/demo-scenario.js";

export function expectReadableTranscript(transcript: string): void {
  expect(transcript).not.toMatch(/undefined|NaN|\[object Object\]/);
  let from = 0;
  for (const title of DEMO_STEPS) {
    const at = transcript.indexOf(`── ${title}`, from);
    expect(at, `section "${title}" in order`).toBeGreaterThanOrEqual(from);
    from = at;
  }
  // Amounts and refundable remainders are shown as money, e.g. "$89.00 (refundable $89.00)".
  const transactions = transcript.split("\n").filter((line) => /^ {2}\d{4}-\d{2}-\d{2} {2}/.test(line));
  expect(transactions.length).toBeGreaterThan(0);
  for (const line of transactions) expect(line).toMatch(/\$\d[\d,]*\.\d{2}( \(refundable \$\d[\d,]*\.\d{2}\))?$/);
  expect(transactions.some((line) => line.includes("(refundable $"))).toBe(true);
}
