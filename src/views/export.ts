// View of a customer export job: what an agent needs to know about it, and the file's URI and media type.
import { z } from "zod";
import { CustomerStatusSchema, ExportFormatSchema, ExportStatusSchema } from "../api/schemas.js";
import type { Export } from "../api/index.js";

export const ExportView = z.object({
  id: z.string(),
  status: ExportStatusSchema,
  format: ExportFormatSchema,
  filter: z.object({
    segment_id: z.string().nullable(),
    status: CustomerStatusSchema.nullable(),
  }),
  row_count: z.number().int().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type ExportView = z.infer<typeof ExportView>;

export function exportView(exp: Export): ExportView {
  return {
    id: exp.id,
    status: exp.status,
    format: exp.format,
    filter: { segment_id: exp.filter?.segment_id ?? null, status: exp.filter?.status ?? null },
    row_count: exp.row_count,
    created_at: exp.created_at,
    finished_at: exp.finished_at,
  };
}

export function exportUri(exportId: string): string {
  return `customer://exports/${exportId}`;
}

export function exportMimeType(format: Export["format"]): string {
  return format === "csv" ? "text/csv" : "application/x-ndjson";
}

export function exportFileName(exp: Pick<Export, "id" | "format">): string {
  return `${exp.id}.${exp.format}`;
}
