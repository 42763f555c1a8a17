// Customer exports: an asynchronous job whose state is derived from the clock (queued -> running ->
// succeeded over exportDurationMs), cancelable while unfinished, downloadable once succeeded.
import { z } from "zod";
import { nowIso, param, type Route, type SandboxContext } from "../context.js";
import { conflict, jsonReply, notFound } from "../http.js";
import { CUSTOMER_STATUSES, type Customer, type Export } from "../records.js";
import { idSchema, parseBody } from "../validation.js";
import { findExport } from "./lookup.js";

/** Share of the duration an export sits in the queue before it starts running. */
const QUEUED_SHARE = 0.2;
const TERMINAL: ReadonlySet<string> = new Set(["succeeded", "failed", "canceled"]);
/** What a real customer export holds, contact details included: the server must mask them by column. */
const COLUMNS = [
  "id",
  "name",
  "email",
  "phone",
  "address",
  "tax_id",
  "date_of_birth",
  "status",
  "segment_id",
  "created_at",
  "lifetime_value",
  "currency",
] as const;

const CreateExportBody = z.object({
  format: z.enum(["csv", "jsonl"]),
  filter: z
    .object({
      segment_id: idSchema("seg").optional(),
      status: z.enum(CUSTOMER_STATUSES).optional(),
    })
    .optional(),
});

/** Brings a stored export up to date with the clock; terminal states never change again. */
export function refreshExport(ctx: SandboxContext, exp: Export): Export {
  const job = ctx.store.exportJobs.get(exp.id);
  if (!job || TERMINAL.has(exp.status)) return exp;
  const duration = ctx.exportDurationMs;
  const elapsed = ctx.clock() - job.startedAtMs;
  if (duration <= 0 || elapsed >= duration) {
    exp.status = "succeeded";
    exp.progress = 1;
    exp.row_count = job.rowIds.length;
    exp.finished_at = new Date(job.startedAtMs + Math.max(duration, 0)).toISOString();
  } else if (elapsed < duration * QUEUED_SHARE) {
    exp.status = "queued";
    exp.progress = 0;
  } else {
    exp.status = "running";
    const share = (elapsed - duration * QUEUED_SHARE) / (duration * (1 - QUEUED_SHARE));
    exp.progress = Math.min(0.99, Math.round(share * 100) / 100);
  }
  return exp;
}

function row(c: Customer): Record<(typeof COLUMNS)[number], string | number | Customer["address"]> {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    address: c.address,
    tax_id: c.tax_id,
    date_of_birth: c.date_of_birth,
    status: c.status,
    segment_id: c.segment_id,
    created_at: c.created_at,
    lifetime_value: c.lifetime_value.amount,
    currency: c.currency,
  };
}

/** A cell of the CSV file; the address, an object in JSON Lines, is one line there. */
function csvCell(value: string | number | Customer["address"]): string {
  const s = typeof value === "object" ? addressLine(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function addressLine(address: Customer["address"]): string {
  return [address.line1, address.line2, `${address.postal_code} ${address.city}`, address.region, address.country]
    .filter((part) => part !== null && part !== "")
    .join(", ");
}

function render(ctx: SandboxContext, exp: Export): string {
  const rows: Array<ReturnType<typeof row>> = [];
  for (const id of ctx.store.exportJobs.get(exp.id)?.rowIds ?? []) {
    const c = ctx.store.customersById.get(id);
    if (c) rows.push(row(c));
  }
  if (exp.format === "jsonl") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  const lines = [COLUMNS.join(","), ...rows.map((r) => COLUMNS.map((k) => csvCell(r[k])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

export const exportRoutes: Route[] = [
  {
    method: "POST",
    path: "/v1/exports",
    handler: (req, ctx) => {
      const body = parseBody(CreateExportBody, req.body);
      const filter: Export["filter"] = {};
      if (body.filter?.segment_id !== undefined) {
        if (!ctx.store.segmentsById.has(body.filter.segment_id))
          throw notFound("segment", "filter.segment_id");
        filter.segment_id = body.filter.segment_id;
      }
      if (body.filter?.status !== undefined) filter.status = body.filter.status;
      const rowIds = ctx.store.customerList
        .filter(
          (c) =>
            (filter.segment_id === undefined || c.segment_id === filter.segment_id) &&
            (filter.status === undefined || c.status === filter.status),
        )
        .map((c) => c.id);
      const exp: Export = {
        id: ctx.store.newId("exp"),
        status: "queued",
        progress: 0,
        format: body.format,
        filter,
        row_count: null,
        created_at: nowIso(ctx),
        finished_at: null,
      };
      ctx.store.addExport(exp, { startedAtMs: ctx.clock(), canceledAtMs: null, rowIds });
      return jsonReply(202, refreshExport(ctx, exp));
    },
  },
  {
    method: "GET",
    path: "/v1/exports/:export_id",
    handler: (req, ctx) => jsonReply(200, refreshExport(ctx, findExport(ctx, param(req, "export_id")))),
  },
  {
    method: "GET",
    path: "/v1/exports/:export_id/download",
    handler: (req, ctx) => {
      const exp = refreshExport(ctx, findExport(ctx, param(req, "export_id")));
      if (exp.status !== "succeeded")
        throw conflict(`The export is ${exp.status}; download it once it has succeeded.`);
      const csv = exp.format === "csv";
      return {
        status: 200,
        text: render(ctx, exp),
        contentType: csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
        headers: { "Content-Disposition": `attachment; filename="${exp.id}.${csv ? "csv" : "jsonl"}"` },
      };
    },
  },
  {
    method: "DELETE",
    path: "/v1/exports/:export_id",
    handler: (req, ctx) => {
      const exp = refreshExport(ctx, findExport(ctx, param(req, "export_id")));
      if (TERMINAL.has(exp.status)) throw conflict(`The export has already finished (${exp.status}).`);
      const job = ctx.store.exportJobs.get(exp.id);
      if (job) job.canceledAtMs = ctx.clock();
      exp.status = "canceled";
      exp.finished_at = nowIso(ctx);
      ctx.store.updated.exports++;
      return jsonReply(200, exp);
    },
  },
];
