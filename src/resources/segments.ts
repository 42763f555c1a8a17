// customer://segments: the customer segments with their sizes, as JSON.
import { segmentView } from "../views/segment.js";
import type { StaticResourceDefinition } from "./define.js";

export const segmentsResource: StaticResourceDefinition = {
  name: "segments",
  uri: "customer://segments",
  title: "Customer segments",
  description: "All customer segments with their ids, descriptions and customer counts.",
  mimeType: "application/json",
  access: { scopes: ["customers:read"] },
  async read(ctx) {
    const segments = await ctx.api.segments.list();
    return { segments: segments.map(segmentView) };
  },
};
