// Keyset pagination with opaque, signed cursors: a cursor names the last record served, so records created
// while a client pages never cause repeats, and a cursor only works with the filters it was issued for.
import { createHash, createHmac } from "node:crypto";
import { invalid } from "./http.js";

interface Ordered {
  id: string;
  created_at: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export function parseLimit(query: URLSearchParams): number {
  const raw = query.get("limit");
  if (raw === null) return DEFAULT_LIMIT;
  const n = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) throw invalid(`limit must be an integer from 1 to ${MAX_LIMIT}.`, "limit");
  return n;
}

export class Paginator {
  constructor(private readonly secret: string) {}

  /**
   * One page of `source` (already in list order, compared by `cmp`), keeping only records that pass `keep`.
   * `scope` names the list and its filters; a cursor issued under another scope is rejected.
   */
  page<T extends Ordered>(
    source: readonly T[],
    cmp: (a: Ordered, b: Ordered) => number,
    query: URLSearchParams,
    scope: string,
    keep?: (item: T) => boolean,
  ): Page<T> {
    const limit = parseLimit(query);
    const scopeHash = createHash("sha256").update(scope).digest("base64url").slice(0, 10);
    const rawCursor = query.get("cursor");
    const after = rawCursor ? this.#decode(rawCursor, scopeHash) : null;
    let i = after ? firstAfter(source, after, cmp) : 0;
    const data: T[] = [];
    for (; i < source.length && data.length < limit; i++) {
      const item = source[i] as T;
      if (!keep || keep(item)) data.push(item);
    }
    let more = false;
    for (; i < source.length; i++) {
      const item = source[i] as T;
      if (!keep || keep(item)) {
        more = true;
        break;
      }
    }
    const last = data[data.length - 1];
    return { data, next_cursor: more && last ? this.#encode(last, scopeHash) : null };
  }

  #encode(last: Ordered, scopeHash: string): string {
    const payload = Buffer.from(JSON.stringify([last.created_at, last.id, scopeHash])).toString("base64url");
    return `${payload}.${this.#mac(payload)}`;
  }

  #decode(cursor: string, scopeHash: string): Ordered {
    const bad = () => invalid("The cursor is invalid; start again without a cursor.", "cursor");
    const [payload, mac, extra] = cursor.split(".");
    if (!payload || !mac || extra !== undefined || cursor.length > 512 || mac !== this.#mac(payload))
      throw bad();
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      throw bad();
    }
    if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === "string"))
      throw bad();
    const [createdAt, id, hash] = value as [string, string, string];
    if (hash !== scopeHash) {
      throw invalid("The cursor was issued for a different list or different filters.", "cursor");
    }
    return { created_at: createdAt, id };
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url").slice(0, 16);
  }
}

/** Index of the first record that sorts strictly after `key` (binary search: sources are sorted). */
function firstAfter<T extends Ordered>(
  source: readonly T[],
  key: Ordered,
  cmp: (a: Ordered, b: Ordered) => number,
) {
  let lo = 0;
  let hi = source.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(source[mid] as T, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
