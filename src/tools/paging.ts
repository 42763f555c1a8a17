// Paging and the response budget for list tools. The cursor a tool hands out wraps the upstream cursor of the
// page it read plus how many items of that page were already returned, so a page cut short to fit the budget
// can be continued exactly where it stopped: whole items, no gaps, no repeats.
import { z } from "zod";
import type { Page } from "../api/index.js";
import type { CallContext } from "../context.js";
import { UserInputError } from "../errors.js";
import { CHARS_PER_TOKEN } from "../policy/budget.js";
import { MAX_PAGE_SIZE } from "./params.js";

/** Room kept for the result's other fields and the JSON envelope. */
const ENVELOPE_CHARS = 2_000;

interface CursorState {
  /** Upstream cursor of the page being read; null for the first page. */
  u: string | null;
  /** Items of that page already returned. */
  s: number;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString("base64url");
}

export function decodeCursor(cursor: string | undefined): CursorState {
  if (cursor === undefined) return { u: null, s: 0 };
  try {
    const state = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<CursorState>;
    if ((typeof state.u === "string" || state.u === null) && Number.isInteger(state.s) && (state.s ?? -1) >= 0) {
      return { u: state.u, s: state.s as number };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new UserInputError("Invalid arguments: cursor: not a cursor this server issued.", [
    { path: "cursor", message: "pass next_cursor from the previous result unchanged, or omit it for the first page" },
  ]);
}

/** Output fields every list tool carries next to its items. */
export const PageMetaShape = {
  next_cursor: z.string().nullable(),
  truncated: z.boolean().optional().describe("Cut short to fit the response budget."),
  hint: z.string().optional(),
};

export interface ListPage<V> {
  items: V[];
  next_cursor: string | null;
  truncated?: boolean;
  hint?: string;
}

export interface ListPageOptions<T, V> {
  cursor: string | undefined;
  limit: number;
  /** Reads one upstream page (its requests follow the call's signal and deadline). */
  fetch(page: { cursor?: string; limit: number }): Promise<Page<T>>;
  view(item: T): V;
  /**
   * Drops upstream items this caller must not be shown (a text search match on masked data). Deterministic, so
   * the cursor's count of items already returned from a page stays right.
   */
  keep?(item: T): boolean;
  /** Said to the model when a page is cut short, e.g. "add a status filter". */
  narrowHint: string;
}

/** Reads one page and keeps whole items until the call's result budget (CUSTOMER_MCP_MAX_RESULT_TOKENS) is spent. */
export async function listPage<T, V>(
  ctx: Pick<CallContext, "config">,
  options: ListPageOptions<T, V>,
): Promise<ListPage<V>> {
  const state = decodeCursor(options.cursor);
  const wanted = Math.min(options.limit + state.s, MAX_PAGE_SIZE);
  const upstream = { ...(state.u === null ? {} : { cursor: state.u }), limit: wanted };
  const fetched = await options.fetch(upstream);
  const page = options.keep ? { ...fetched, data: fetched.data.filter((item) => options.keep?.(item)) } : fetched;
  const candidates = page.data.slice(state.s, state.s + options.limit);

  const budget = ctx.config.limits.maxResultTokens * CHARS_PER_TOKEN - ENVELOPE_CHARS;
  const items: V[] = [];
  let used = 0;
  for (const item of candidates) {
    const view = options.view(item);
    // JSON text appears twice per result (structuredContent and the text fallback), but clients budget the
    // text the model reads, so one copy is what counts.
    const size = JSON.stringify(view).length + 1;
    if (items.length > 0 && used + size > budget) break;
    items.push(view);
    used += size;
  }

  const consumed = state.s + items.length;
  if (items.length < candidates.length) {
    return {
      items,
      next_cursor: encodeCursor({ u: state.u, s: consumed }),
      truncated: true,
      hint: `Result cut at ${items.length} items to stay within the response budget; ${options.narrowHint}, or continue with next_cursor.`,
    };
  }
  const pageExhausted = consumed >= page.data.length;
  if (!pageExhausted) return { items, next_cursor: encodeCursor({ u: state.u, s: consumed }) };
  return { items, next_cursor: page.next_cursor === null ? null : encodeCursor({ u: page.next_cursor, s: 0 }) };
}

/** The output fields of a list result, without its items. */
export function pageMeta<V>(page: ListPage<V>): { next_cursor: string | null; truncated?: boolean; hint?: string } {
  const { items: _items, ...meta } = page;
  return meta;
}
