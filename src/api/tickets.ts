// Ticket and comment endpoints of the contract.
import type { CallOptions, PageRequest, WriteOptions } from "./customers.js";
import { type HttpClient, pathOf } from "./http.js";
import {
  type Comment,
  CommentSchema,
  type Page,
  pageOf,
  type Ticket,
  TicketSchema,
  type Written,
} from "./schemas.js";

export interface TicketSearch extends PageRequest {
  customer_id?: string;
  status?: Ticket["status"];
  priority?: Ticket["priority"];
  query?: string;
}

export interface NewTicket {
  customer_id: string;
  subject: string;
  description: string;
  priority: Ticket["priority"];
  channel?: NonNullable<Ticket["channel"]>;
}

export interface TicketChange {
  status?: Ticket["status"];
  priority?: Ticket["priority"];
  assignee_id?: string;
}

export interface TicketsApi {
  search(filter: TicketSearch, options?: CallOptions): Promise<Page<Ticket>>;
  get(ticketId: string, options?: CallOptions): Promise<Ticket>;
  create(ticket: NewTicket, options: WriteOptions): Promise<Written<Ticket>>;
  /** PATCH is safe to repeat with the same body, so this is retried like a read. */
  update(ticketId: string, change: TicketChange, options?: CallOptions): Promise<Ticket>;
  listComments(ticketId: string, page: PageRequest, options?: CallOptions): Promise<Page<Comment>>;
  addComment(
    ticketId: string,
    comment: { body: string; public: boolean },
    options: WriteOptions,
  ): Promise<Written<Comment>>;
}

const TicketPage = pageOf(TicketSchema);
const CommentPage = pageOf(CommentSchema);

export function ticketsApi(http: HttpClient): TicketsApi {
  return {
    async search(filter, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: "/v1/tickets",
        query: { ...filter },
        schema: TicketPage,
        signal: options.signal,
      });
      return data;
    },
    async get(ticketId, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/tickets/${ticketId}`,
        schema: TicketSchema,
        signal: options.signal,
      });
      return data;
    },
    async create(ticket, options) {
      const result = await http.request({
        method: "POST",
        path: "/v1/tickets",
        body: ticket,
        idempotencyKey: options.idempotencyKey,
        schema: TicketSchema,
        signal: options.signal,
      });
      return { record: result.data, replayed: result.replayed };
    },
    async update(ticketId, change, options = {}) {
      const { data } = await http.request({
        method: "PATCH",
        path: pathOf`/v1/tickets/${ticketId}`,
        body: change,
        schema: TicketSchema,
        signal: options.signal,
      });
      return data;
    },
    async listComments(ticketId, page, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/tickets/${ticketId}/comments`,
        query: { ...page },
        schema: CommentPage,
        signal: options.signal,
      });
      return data;
    },
    async addComment(ticketId, comment, options) {
      const result = await http.request({
        method: "POST",
        path: pathOf`/v1/tickets/${ticketId}/comments`,
        body: comment,
        idempotencyKey: options.idempotencyKey,
        schema: CommentSchema,
        signal: options.signal,
      });
      return { record: result.data, replayed: result.replayed };
    },
  };
}
