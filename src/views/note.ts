// View of a customer note. Notes are free text written by staff (and sometimes pasted from customers), so the
// body is clipped and marked as untrusted data.
import { z } from "zod";
import type { Note } from "../api/index.js";
import { UntrustedTextView, untrustedText } from "./text.js";

export const NoteView = z.object({
  id: z.string(),
  customer_id: z.string(),
  // Who the note is from is whatever its writer typed (staff, or the add_customer_note caller): marked too.
  author: UntrustedTextView,
  // Staff wrote it, though it may quote a customer; the marking keeps either from posing as an instruction.
  body: UntrustedTextView,
  created_at: z.string(),
});
export type NoteView = z.infer<typeof NoteView>;

export function noteView(note: Note): NoteView {
  return {
    id: note.id,
    customer_id: note.customer_id,
    author: untrustedText(note.author, "staff", 200),
    body: untrustedText(note.body, "staff"),
    created_at: note.created_at,
  };
}
