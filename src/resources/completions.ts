// Id completion shared by resource templates and prompt arguments: a partial input that is an id prefix, a
// name, an email or other search text completes to matching ids. The API searches text but not id prefixes,
// so a prefix is matched by scanning pages, bounded in pages and results.
import type { Page } from "../api/index.js";
import { idPattern } from "../api/schemas.js";
import { CUSTOMER_SEARCH_FIELDS, TICKET_SEARCH_FIELDS, visibleMatches } from "../policy/search.js";
import type { ResourceContext } from "./define.js";

export const COMPLETION_LIMIT = 10;
const MAX_SCAN_PAGES = 10;
const SCAN_PAGE_SIZE = 100;
const MAX_SEARCH_LENGTH = 200;

interface IdSource {
  /** The id prefix, e.g. `cus_`; a whole id is the prefix plus 8–24 letters and digits. */
  prefix: string;
  exists(id: string, ctx: ResourceContext): Promise<boolean>;
  /** One page of all records, in the API's order, for prefix scans. */
  page(cursor: string | undefined, limit: number, ctx: ResourceContext): Promise<Page<{ id: string }>>;
  /** Records whose text (name, email, subject, ...) matches, as this caller may see them (src/policy/search.ts). */
  search(text: string, limit: number, ctx: ResourceContext): Promise<Array<{ id: string }>>;
}

export type IdCompleter = (partial: string, ctx: ResourceContext) => Promise<string[]>;

export function idCompleter(source: IdSource): IdCompleter {
  const wholeId = idPattern(source.prefix.replace(/_$/, ""));
  return async (partial, ctx) => {
    const text = partial.trim();
    if (wholeId.test(text)) return (await source.exists(text, ctx)) ? [text] : [];
    if (text.startsWith(source.prefix)) return scanForPrefix(source, text, ctx);
    if (text.length < 2) return [];
    const found = await source.search(text.slice(0, MAX_SEARCH_LENGTH), COMPLETION_LIMIT, ctx);
    return found.slice(0, COMPLETION_LIMIT).map((record) => record.id);
  };
}

async function scanForPrefix(source: IdSource, prefix: string, ctx: ResourceContext): Promise<string[]> {
  const matches: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_SCAN_PAGES && matches.length < COMPLETION_LIMIT; pages++) {
    const page = await source.page(cursor, SCAN_PAGE_SIZE, ctx);
    for (const record of page.data) if (record.id.startsWith(prefix)) matches.push(record.id);
    if (page.next_cursor === null) break;
    cursor = page.next_cursor;
  }
  return matches.slice(0, COMPLETION_LIMIT);
}

const found = () => true;
const missing = () => false;
const after = (cursor: string | undefined) => (cursor ? { cursor } : {});

export const completeCustomerIds = idCompleter({
  prefix: "cus_",
  exists: (id, ctx) => ctx.api.customers.get(id).then(found, missing),
  page: (cursor, limit, ctx) => ctx.api.customers.search({ limit, ...after(cursor) }),
  search: async (query, limit, ctx) => {
    const page = await ctx.api.customers.search({ query, limit });
    return page.data.filter(visibleMatches(ctx.policy, query, CUSTOMER_SEARCH_FIELDS));
  },
});

export const completeTicketIds = idCompleter({
  prefix: "tkt_",
  exists: (id, ctx) => ctx.api.tickets.get(id).then(found, missing),
  page: (cursor, limit, ctx) => ctx.api.tickets.search({ limit, ...after(cursor) }),
  search: async (query, limit, ctx) => {
    const page = await ctx.api.tickets.search({ query, limit });
    return page.data.filter(visibleMatches(ctx.policy, query, TICKET_SEARCH_FIELDS));
  },
});
