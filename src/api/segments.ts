// Segment endpoint of the contract: the (short, unpaginated) list of customer segments.
import type { CallOptions } from "./customers.js";
import type { HttpClient } from "./http.js";
import { pageOf, type Segment, SegmentSchema } from "./schemas.js";

export interface SegmentsApi {
  list(options?: CallOptions): Promise<Segment[]>;
}

const SegmentPage = pageOf(SegmentSchema);

export function segmentsApi(http: HttpClient): SegmentsApi {
  return {
    async list(options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: "/v1/segments",
        schema: SegmentPage,
        signal: options.signal,
      });
      return data.data;
    },
  };
}
