// Customer tools: find customers, then open one.
import { z } from "zod";
import { CustomerStatusSchema } from "../api/schemas.js";
import { CustomerSummaryView, CustomerView, customerSummaryView, customerView } from "../views/customer.js";
import { TransactionSummaryView, transactionSummaryView } from "../views/transaction.js";
import { CUSTOMER_SEARCH_FIELDS, visibleMatches } from "../policy/search.js";
import { defineTool, READ_ONLY } from "./define.js";
import { listPage, PageMetaShape, pageMeta } from "./paging.js";
import { ParamCursor, ParamCustomerId, ParamLimit, ParamSegmentId, ParamTimestamp } from "./params.js";

const RECENT_TRANSACTIONS = 10;

export const searchCustomers = defineTool({
  name: "search_customers",
  title: "Search customers",
  description: [
    "Find customers by name or email text, exact email, status, segment or creation date; returns summaries with",
    "ids, newest first. Start here whenever you lack a customer id, then open one with get_customer_overview or",
    "get_customer. Filters combine with AND; with none it lists everyone. Paged: pass next_cursor back as cursor.",
  ].join(" "),
  input: {
    query: z
      .string()
      .trim()
      .min(2)
      .max(200)
      .optional()
      .describe("Case-insensitive part of the name or email, e.g. 'lovelace' or '@acme.'."),
    email: z.email().max(320).optional().describe("Exact email; faster and more precise than query."),
    status: CustomerStatusSchema
      .optional()
      .describe("Only this status."),
    segment_id: ParamSegmentId.optional(),
    created_after: ParamTimestamp.optional().describe("Only customers created after this time."),
    limit: ParamLimit,
    cursor: ParamCursor,
  },
  output: {
    customers: z.array(CustomerSummaryView),
    ...PageMetaShape,
  },
  access: { toolset: "customers", scopes: ["customers:read"] },
  annotations: READ_ONLY,
  async handler({ cursor, limit, ...filter }, ctx) {
    const page = await listPage(ctx, {
      cursor,
      limit,
      fetch: (upstream) => ctx.api.customers.search({ ...filter, ...upstream }),
      keep: visibleMatches(ctx.policy, filter.query, CUSTOMER_SEARCH_FIELDS),
      view: customerSummaryView,
      narrowHint: "add filters such as status, segment_id or query",
    });
    return { customers: page.items, ...pageMeta(page) };
  },
});

export const getCustomer = defineTool({
  name: "get_customer",
  title: "Get a customer",
  description: [
    "One customer's full profile by id: contact details, status, segment, lifetime value, tags and account",
    `manager, and with include_transactions their ${RECENT_TRANSACTIONS} latest transactions. For tickets and`,
    "refundable money too, use get_customer_overview.",
  ].join(" "),
  input: {
    customer_id: ParamCustomerId,
    include_transactions: z
      .boolean()
      .default(false)
      .describe(`Also return the ${RECENT_TRANSACTIONS} latest transactions.`),
  },
  output: {
    customer: CustomerView,
    // Newest first; both present only with include_transactions.
    recent_transactions: z.array(TransactionSummaryView).optional(),
    more_transactions: z.boolean().optional(),
  },
  access: { toolset: "customers", scopes: ["customers:read"] },
  annotations: READ_ONLY,
  async handler({ customer_id, include_transactions }, ctx) {
    if (!include_transactions) {
      return { customer: customerView(await ctx.api.customers.get(customer_id)) };
    }
    const [customer, transactions] = await Promise.all([
      ctx.api.customers.get(customer_id),
      ctx.api.customers.listTransactions(customer_id, { limit: RECENT_TRANSACTIONS }),
    ]);
    return {
      customer: customerView(customer),
      recent_transactions: transactions.data.map(transactionSummaryView),
      more_transactions: transactions.next_cursor !== null,
    };
  },
});

export const customerTools = [searchCustomers, getCustomer];
