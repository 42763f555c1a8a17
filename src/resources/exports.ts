// customer://exports/{export_id}: a finished export's file (CSV or JSON Lines), cut at a whole row to fit both
// a fixed size cap and the response budget, with a last line saying how many rows were left out.
import { z } from "zod";
import { idPattern } from "../api/schemas.js";
import { ApiConflictError } from "../api/errors.js";
import type { Export } from "../api/index.js";
import { UserInputError } from "../errors.js";
import { CHARS_PER_TOKEN } from "../policy/budget.js";
import { exportMimeType } from "../views/export.js";
import { type ResourceContext, type TemplateResourceDefinition, textBody } from "./define.js";

/** The file is read into one resource result, so it is capped whatever the response budget says. */
export const MAX_EXPORT_FILE_BYTES = 1024 * 1024;
/** Room kept for the truncation line (ASCII, so characters and bytes are the same). */
const NOTICE_RESERVE = 240;

const ParamExportId = z.string().trim().regex(idPattern("exp"));

export const exportResource: TemplateResourceDefinition = {
  name: "export",
  uriTemplate: "customer://exports/{export_id}",
  title: "Customer export file",
  description: [
    "The file of a finished export made by export_customers: CSV with a header row, or JSON Lines. Large files",
    "are cut at a whole row to fit the response budget and end with a line saying how many rows were left out.",
  ].join(" "),
  mimeType: "text/csv",
  access: { scopes: ["exports:run"] },
  async read(variables, ctx) {
    const parsed = ParamExportId.safeParse(variables.export_id);
    if (!parsed.success) {
      throw new UserInputError(
        "The URI needs an export id like customer://exports/exp_a1b2c3d4 (export_customers returns it).",
      );
    }
    const exp = await ctx.api.exports.get(parsed.data);
    if (exp.status !== "succeeded") throw notReady(exp);
    const file = await ctx.api.exports.download(exp.id);
    const limits = { maxChars: ctx.config.limits.maxResultTokens * CHARS_PER_TOKEN, maxBytes: MAX_EXPORT_FILE_BYTES };
    return textBody(capExportFile(file, exp.format, limits), exp.format, exportMimeType(exp.format));
  },
  complete: { export_id: completeExportIds },
};

function notReady(exp: Export): ApiConflictError {
  const unfinished = exp.status === "queued" || exp.status === "running";
  const state = unfinished ? `still ${exp.status} (${Math.round(exp.progress * 100)}% done)` : exp.status;
  return new ApiConflictError("conflict", `The export ${exp.id} is ${state}; its file exists only once it has succeeded.`, {
    nextStep: unfinished
      ? "Wait a few seconds and read it again (export_customers waits for you and returns the link when ready)."
      : "Start a new export with export_customers.",
  });
}

/**
 * Exports have no list endpoint, so there is nothing to match a partial id against: only a complete, valid id
 * of an export that exists completes (to itself).
 */
async function completeExportIds(partial: string, ctx: ResourceContext): Promise<string[]> {
  const parsed = ParamExportId.safeParse(partial);
  if (!parsed.success) return [];
  return ctx.api.exports.get(parsed.data).then(
    () => [parsed.data],
    () => [],
  );
}

export interface FileLimits {
  maxChars: number;
  maxBytes: number;
}

/** Keeps whole rows (and the CSV header) within both limits, then appends a line counting the rows left out. */
export function capExportFile(file: string, format: Export["format"], limits: FileLimits): string {
  if (file.length <= limits.maxChars && Buffer.byteLength(file) <= limits.maxBytes) return file;
  const rows = splitRows(file, format);
  const header = format === "csv" ? rows.shift() : undefined;
  const kept = header === undefined ? [] : [header];
  let chars = header?.length ?? 0;
  let bytes = header === undefined ? 0 : Buffer.byteLength(header);
  for (const row of rows) {
    const rowBytes = Buffer.byteLength(row);
    if (chars + row.length + NOTICE_RESERVE > limits.maxChars) break;
    if (bytes + rowBytes + NOTICE_RESERVE > limits.maxBytes) break;
    kept.push(row);
    chars += row.length;
    bytes += rowBytes;
  }
  const shown = kept.length - (header === undefined ? 0 : 1);
  const newline = header?.endsWith("\r\n") ? "\r\n" : "\n";
  return `${kept.join("")}${truncationNotice(format, rows.length - shown, rows.length)}${newline}`;
}

function truncationNotice(format: Export["format"], left: number, total: number): string {
  const hint = "narrow the export filter (segment_id or status) to get every row";
  if (format === "jsonl") return JSON.stringify({ truncated: true, rows_not_shown: left, rows_total: total, hint });
  // One unquoted cell without commas, so CSV readers see a single-column row rather than a broken record.
  return `# truncated: ${left} of ${total} rows not shown (size cap); ${hint}`;
}

/**
 * Splits into rows, each with its line ending. CSV cells may hold quoted line breaks, so a CSV row ends only at
 * a newline outside quotes; JSON Lines escape newlines inside strings, so every newline ends a row.
 */
function splitRows(file: string, format: Export["format"]): string[] {
  const rows: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < file.length; i++) {
    const char = file[i];
    if (char === '"' && format === "csv") quoted = !quoted;
    else if (char === "\n" && !quoted) {
      rows.push(file.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < file.length) rows.push(file.slice(start));
  return rows;
}
