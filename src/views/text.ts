// Free text from the API (descriptions, comments, notes) can be arbitrarily long; views clip it so one record
// cannot blow a result's budget.

export const DEFAULT_TEXT_LIMIT = 2_000;

/** Keeps the first `max` characters and says how much was cut. */
export function clipText(text: string, max = DEFAULT_TEXT_LIMIT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters not shown]`;
}
