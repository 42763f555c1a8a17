// Id lookups that answer 404 the contract way: a malformed id is just as "not found" as a missing one.
import type { SandboxContext } from "../context.js";
import { notFound } from "../http.js";
import type { Customer, Export, Ticket, Transaction } from "../records.js";
import { isId } from "../validation.js";

function find<T>(map: ReadonlyMap<string, T>, prefix: string, id: string, what: string, param?: string): T {
  const found = isId(prefix, id) ? map.get(id) : undefined;
  if (found === undefined) throw notFound(what, param);
  return found;
}

export const findCustomer = (ctx: SandboxContext, id: string, param?: string): Customer =>
  find(ctx.store.customersById, "cus", id, "customer", param);

export const findTransaction = (ctx: SandboxContext, id: string, param?: string): Transaction =>
  find(ctx.store.transactionsById, "txn", id, "transaction", param);

export const findTicket = (ctx: SandboxContext, id: string): Ticket =>
  find(ctx.store.ticketsById, "tkt", id, "ticket");

export const findExport = (ctx: SandboxContext, id: string): Export =>
  find(ctx.store.exportsById, "exp", id, "export");
