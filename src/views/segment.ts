// View of a customer segment (already compact upstream; mapped explicitly so new upstream fields stay out).
import { z } from "zod";
import type { Segment } from "../api/index.js";

export const SegmentView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  customer_count: z.number().int(),
});
export type SegmentView = z.infer<typeof SegmentView>;

export function segmentView(segment: Segment): SegmentView {
  return {
    id: segment.id,
    name: segment.name,
    description: segment.description ?? null,
    customer_count: segment.customer_count,
  };
}
