// View of a customer note. Notes are free text written by staff (and sometimes pasted from customers), so the
// body is clipped and callers treat it as data.
import { z } from "zod";
import type { Note } from "../api/index.js";
import { clipText } from "./text.js";

export const NoteView = z.object({
  id: z.string(),
  customer_id: z.string(),
  author: z.string(),
  body: z.string().describe("The note text, clipped when very long."),
  created_at: z.string(),
});
export type NoteView = z.infer<typeof NoteView>;

export function noteView(note: Note): NoteView {
  return {
    id: note.id,
    customer_id: note.customer_id,
    author: clipText(note.author, 200),
    body: clipText(note.body),
    created_at: note.created_at,
  };
}
