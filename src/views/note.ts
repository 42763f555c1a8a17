// View of a customer note. Notes are free text written by staff (and sometimes pasted from customers), so the
// body is clipped and marked as untrusted data.
import { z } from "zod";
import type { Note } from "../api/index.js";
import { clipText, UntrustedTextView, untrustedText } from "./text.js";

export const NoteView = z.object({
  id: z.string(),
  customer_id: z.string(),
  // Plain: who the note is from is set by staff (or by the add_customer_note caller), short and clipped.
  author: z.string(),
  // Staff wrote it, though it may quote a customer; the marking keeps either from posing as an instruction.
  body: UntrustedTextView,
  created_at: z.string(),
});
export type NoteView = z.infer<typeof NoteView>;

export function noteView(note: Note): NoteView {
  return {
    id: note.id,
    customer_id: note.customer_id,
    author: clipText(note.author, 200),
    body: untrustedText(note.body, "staff"),
    created_at: note.created_at,
  };
}
