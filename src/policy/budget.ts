// The response budget (CUSTOMER_MCP_MAX_RESULT_TOKENS) on every result, list or not. List tools already keep
// whole items within it (src/tools/paging.ts); this is the last step for every other result: if the JSON the
// model reads is still over the budget, long texts are cut shorter, step by step, each with a note of how much
// was cut; if even that cannot make it fit, the call fails with result_too_large rather than flood the context.
import { ResultTooLargeError } from "../errors.js";
import { clipText } from "./untrusted.js";

/** Rough size of a result in tokens; MCP clients count differently, so this stays conservative. */
export const CHARS_PER_TOKEN = 4;

/** How far texts are cut, in turn, until the result fits. */
const CLIP_STEPS = [1_000, 300, 100, 40];

/** Values that are structure, not text: cutting one would break a cursor, an id or a link. */
function isStructural(key: string): boolean {
  return key === "id" || key === "uri" || key === "currency" || key === "next_cursor"
    || key.endsWith("_id") || key.endsWith("_uri") || key.endsWith("_at");
}

function clipStrings(value: unknown, max: number, key = ""): unknown {
  if (typeof value === "string") return isStructural(key) ? value : clipText(value, max);
  if (Array.isArray(value)) return value.map((item) => clipStrings(item, max, key));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([name, item]) => [name, clipStrings(item, max, name)]),
  );
}

/** `value`, or a copy with its texts cut until its JSON is at most `maxTokens` × 4 characters. */
export function fitToBudget<T>(value: T, maxTokens: number): T {
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  if (JSON.stringify(value).length <= maxChars) return value;
  for (const max of CLIP_STEPS) {
    const clipped = clipStrings(value, max) as T;
    if (JSON.stringify(clipped).length <= maxChars) return clipped;
  }
  throw new ResultTooLargeError(
    `The result is larger than this server's response budget (about ${maxTokens} tokens), even with every text cut short.`,
    { nextStep: "Ask for less at once: fewer items (a smaller limit or more filters), or one record at a time." },
  );
}
