// Export endpoints of the contract: start, poll, cancel, download.
import { z } from "zod";
import type { CallOptions, WriteOptions } from "./customers.js";
import { type HttpClient, pathOf } from "./http.js";
import { type Export, ExportSchema, type Written } from "./schemas.js";

export interface NewExport {
  format: Export["format"];
  filter: { segment_id?: string; status?: "active" | "inactive" | "suspended" };
}

export interface ExportsApi {
  create(request: NewExport, options: WriteOptions): Promise<Written<Export>>;
  get(exportId: string, options?: CallOptions): Promise<Export>;
  /** DELETE is safe to repeat; cancelling a finished export is a `conflict`. */
  cancel(exportId: string, options?: CallOptions): Promise<Export>;
  /** The finished file as text (CSV or NDJSON). */
  download(exportId: string, options?: CallOptions): Promise<string>;
}

const FileBody = z.string();

export function exportsApi(http: HttpClient): ExportsApi {
  return {
    async create(request, options) {
      const result = await http.request({
        method: "POST",
        path: "/v1/exports",
        body: request,
        idempotencyKey: options.idempotencyKey,
        schema: ExportSchema,
        signal: options.signal,
      });
      return { record: result.data, replayed: result.replayed };
    },
    async get(exportId, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/exports/${exportId}`,
        schema: ExportSchema,
        signal: options.signal,
      });
      return data;
    },
    async cancel(exportId, options = {}) {
      const { data } = await http.request({
        method: "DELETE",
        path: pathOf`/v1/exports/${exportId}`,
        schema: ExportSchema,
        signal: options.signal,
      });
      return data;
    },
    async download(exportId, options = {}) {
      const { data } = await http.request({
        method: "GET",
        path: pathOf`/v1/exports/${exportId}/download`,
        schema: FileBody,
        responseType: "text",
        signal: options.signal,
      });
      return data;
    },
  };
}
