// Segments: a short fixed list, never paginated.
import type { Route } from "../context.js";
import { jsonReply } from "../http.js";

export const segmentRoutes: Route[] = [
  {
    method: "GET",
    path: "/v1/segments",
    handler: (_req, ctx) => jsonReply(200, { data: ctx.store.segments, next_cursor: null }),
  },
];
