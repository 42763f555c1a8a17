// Id completion shared by resource templates and prompt arguments: a partial input that is an id prefix, a
// name or an email completes to matching ids. The API searches names and emails but not id prefixes, so a
// prefix is matched by scanning pages, bounded in pages and results.
import type { Page } from "./api/index.js";
import type { ResourceContext } from "./resources/define.js";

export const COMPLETION_LIMIT = 10;
const MAX_SCAN_PAGES = 10;

interface IdPrefixScan<T extends { id: string }> {
  partial: string;
  prefix: string;
  idPattern: RegExp;
  exists(id: string): Promise<boolean>;
  page(cursor: string | undefined): Promise<Page<T>>;
}

/** Completes a (partial) id: an exact id that exists, or ids starting with the prefix. */
export async function completeIdPrefix<T extends { id: string }>(scan: IdPrefixScan<T>): Promise<string[]> {
  if (scan.idPattern.test(scan.partial)) return (await scan.exists(scan.partial)) ? [scan.partial] : [];
  const matches: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_SCAN_PAGES && matches.length < COMPLETION_LIMIT; pages++) {
    const page = await scan.page(cursor);
    for (const item of page.data) if (item.id.startsWith(scan.partial)) matches.push(item.id);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return matches.slice(0, COMPLETION_LIMIT);
}

export async function completeCustomerIds(partial: string, ctx: ResourceContext): Promise<string[]> {
  const text = partial.trim();
  const options = { signal: ctx.signal };
  if (text.startsWith("cus_")) {
    return completeIdPrefix({
      partial: text,
      prefix: "cus_",
      idPattern: /^cus_[A-Za-z0-9]{8,24}$/,
      exists: async (id) => ctx.api.customers.get(id, options).then(() => true, () => false),
      page: (cursor) => ctx.api.customers.search({ limit: 100, ...(cursor ? { cursor } : {}) }, options),
    });
  }
  if (text.length < 2) return [];
  const page = await ctx.api.customers.search({ query: text, limit: COMPLETION_LIMIT }, options);
  return page.data.map((customer) => customer.id);
}
