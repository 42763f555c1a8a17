// Segment tool: the segment list for clients that do not read the customer://segments resource.
import { z } from "zod";
import { SegmentView, segmentView } from "../views/segment.js";
import { defineTool, READ_ONLY } from "./define.js";

export const listSegments = defineTool({
  name: "list_segments",
  title: "List customer segments",
  description: [
    "Every customer segment with its id, description and customer count (as the customer://segments resource),",
    "to turn a segment name into the segment_id that search_customers and export_customers filter on. One short",
    "page.",
  ].join(" "),
  input: {},
  output: { segments: z.array(SegmentView) },
  access: { toolset: "customers", scopes: ["customers:read"] },
  annotations: READ_ONLY,
  async handler(_args, ctx) {
    const segments = await ctx.api.segments.list();
    return { segments: segments.map(segmentView) };
  },
});

export const segmentTools = [listSegments];
