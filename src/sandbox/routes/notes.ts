// Customer notes: list newest first, and add one.
import { z } from "zod";
import { nowIso, param, type Route } from "../context.js";
import { jsonReply } from "../http.js";
import type { Note } from "../records.js";
import { newestFirst } from "../store.js";
import { parseBody } from "../validation.js";
import { findCustomer } from "./lookup.js";

const CreateNoteBody = z.object({
  body: z.string().trim().min(1).max(5000),
  author: z.string().trim().min(1).max(200),
});

export const noteRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/customers/:customer_id/notes",
    handler: (req, ctx) => {
      const customer = findCustomer(ctx, param(req, "customer_id"));
      const notes = ctx.store.notesByCustomer.get(customer.id) ?? [];
      return jsonReply(200, ctx.paginator.page(notes, newestFirst, req.query, `notes:${customer.id}`));
    },
  },
  {
    method: "POST",
    path: "/v1/customers/:customer_id/notes",
    handler: (req, ctx) => {
      const customer = findCustomer(ctx, param(req, "customer_id"));
      const body = parseBody(CreateNoteBody, req.body);
      const note: Note = {
        id: ctx.store.newId("note"),
        customer_id: customer.id,
        author: body.author,
        body: body.body,
        created_at: nowIso(ctx),
      };
      ctx.store.addNote(note);
      return jsonReply(201, note);
    },
  },
];
