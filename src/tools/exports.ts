// export_customers: starts an upstream export, waits for it while reporting progress, and hands back a link to
// the file. The export is cancelled upstream whenever this call stops waiting for it (client cancel, time limit).
import { createHash } from "node:crypto";
import { z } from "zod";
import { CustomerStatusSchema, ExportFormatSchema } from "../api/schemas.js";
import {
  ApiConflictError,
  ApiServerError,
  ApiTimeoutError,
  apiErrorFromTransport,
  isApiError,
} from "../api/errors.js";
import type { Export } from "../api/index.js";
import type { CallContext } from "../context.js";
import { ExportView, exportFileName, exportMimeType, exportUri, exportView } from "../views/export.js";
import { defineTool, Replayed } from "./define.js";
import { ParamSegmentId } from "./params.js";

const TERMINAL: ReadonlySet<Export["status"]> = new Set(["succeeded", "failed", "canceled"]);
/** How many dead exports a repeat walks past before it reports the last one's end. */
const MAX_RESTARTS = 10;

/** Marks an export this server cancelled (its caller gave up), in the shared state, so a repeat may restart it. */
const cancelledHere = (exportId: string) => `export-cancelled-by-server:${exportId}`;

/** A dead export a repeat may replace: one that failed upstream, or that this server cancelled, not a person. */
async function isRestartable(finished: Export, ctx: CallContext): Promise<boolean> {
  if (finished.status === "failed") return true;
  if (finished.status !== "canceled") return false;
  try {
    return await ctx.state.idempotency.wasDone(cancelledHere(finished.id));
  } catch {
    // Without the shared state it cannot be told who cancelled it: leave it cancelled.
    return false;
  }
}

/** The key of the export that follows a dead one: fixed by the call's key and the dead export, and short. */
function restartKey(callKey: string, deadExportId: string): string {
  return `cmcp-export-restart-${createHash("sha256").update(`${callKey}\n${deadExportId}`).digest("hex").slice(0, 40)}`;
}

export const exportCustomers = defineTool({
  name: "export_customers",
  title: "Export customers to a file",
  description: [
    "Export every customer matching a segment and/or status to a CSV or JSON Lines file, for bulk work. The call",
    "waits for the export, reports progress if asked, and cancelling it cancels the export; after a time limit",
    "it gives up and cancels. Returns status, row count and a link customer://exports/<id> to read the file,",
    "which is capped in size and says how many rows it left out. For a few customers use search_customers:",
    "faster and paged.",
  ].join(" "),
  input: {
    format: ExportFormatSchema
      .default("csv")
      .describe("csv has a header row; jsonl is one JSON object per line."),
    segment_id: ParamSegmentId.optional().describe("Only this segment; see list_segments."),
    status: CustomerStatusSchema
      .optional()
      .describe("Only this status."),
  },
  output: {
    export: ExportView,
    resource_uri: z.string(),
    replayed: Replayed,
  },
  access: { toolset: "exports", scopes: ["exports:run"] },
  annotations: {
    readOnlyHint: false,
    // Creates a new export job and changes no customer data.
    destructiveHint: false,
    // Every call starts another export job.
    idempotentHint: false,
    openWorldHint: false,
  },
  async handler({ format, segment_id, status }, ctx) {
    const filter = { ...(segment_id ? { segment_id } : {}), ...(status ? { status } : {}) };
    const firstKey = await ctx.idempotencyKey();
    let created = await ctx.api.exports.create({ format, filter }, { idempotencyKey: firstKey });
    let finished = await waitForExport(created.record, ctx);
    // A repeat of a call whose export died (failed upstream, or cancelled by this server when that call gave up)
    // would replay the dead export for the whole idempotency window. It starts the next one instead, under a key
    // derived from the dead export's id: a repeat of this call replays the same chain, so retries never start
    // two exports. An export someone else cancelled is left cancelled.
    let restarts = 0;
    while (created.replayed && restarts < MAX_RESTARTS && (await isRestartable(finished, ctx))) {
      restarts++;
      created = await ctx.api.exports.create({ format, filter }, { idempotencyKey: restartKey(firstKey, finished.id) });
      finished = await waitForExport(created.record, ctx);
    }
    if (restarts > 0 && !created.replayed) {
      ctx.log.info({ export_id: finished.id, dead_exports: restarts }, "started a new export after the earlier call's died");
    }
    const anew = "call export_customers again with a new idempotency_key (a repeat of the same call replays this export)";
    if (finished.status === "failed") {
      throw new ApiServerError("backend_error", `The export ${finished.id} failed upstream.`, {
        nextStep: restarts < MAX_RESTARTS
          ? "Try export_customers again later; if it fails again, tell the user the export service is failing."
          : `It failed ${MAX_RESTARTS + 1} times; tell the user the export service is failing, or later ${anew}.`,
      });
    }
    if (finished.status === "canceled") {
      throw new ApiConflictError("conflict", `The export ${finished.id} was cancelled upstream before it finished.`, {
        nextStep: `If the file is still needed, ${anew}.`,
      });
    }
    return { export: exportView(finished), resource_uri: exportUri(finished.id), replayed: created.replayed };
  },
  // Waiting for the export is the point of the call, so its deadline covers the whole wait.
  deadlineMs: (config) => config.limits.exportMaxWaitMs + config.api.callTimeoutMs,
  resourceLinks(output) {
    return [
      {
        uri: output.resource_uri,
        name: exportFileName(output.export),
        title: "Customer export file",
        description: `${output.export.row_count ?? 0} customers; large files are cut to fit the response budget.`,
        mimeType: exportMimeType(output.export.format),
      },
    ];
  },
});

/** Polls until the export reaches a terminal status; cancels it upstream if the wait ends any other way. */
async function waitForExport(initial: Export, ctx: CallContext): Promise<Export> {
  const { exportPollMs, exportMaxWaitMs } = ctx.config.limits;
  const deadline = ctx.clock.now() + exportMaxWaitMs;
  let current = initial;
  // Progress must strictly increase per notification, and the API repeats values (0 while queued).
  let reported = -1;
  while (!TERMINAL.has(current.status)) {
    if (ctx.clock.now() >= deadline) {
      await cancelUpstream(current.id, ctx, "max_wait");
      throw new ApiTimeoutError(
        `The export did not finish within ${exportMaxWaitMs / 1000} seconds, so it was cancelled.`,
        {
          nextStep:
            "The export was cancelled: narrow the filter (segment_id or status) and export again, or use search_customers for a few customers.",
        },
      );
    }
    try {
      await ctx.clock.sleep(Math.min(exportPollMs, deadline - ctx.clock.now()), ctx.signal);
      current = await ctx.api.exports.get(current.id);
    } catch (error) {
      // Whether the client cancelled or polling failed, nobody will collect this export: stop it upstream.
      const cancelled = ctx.signal.aborted;
      const stopped = await cancelUpstream(current.id, ctx, cancelled ? "call_cancelled" : "poll_failed");
      // The clock's sleep rejects with the signal's reason; the boundary should still see `cancelled`.
      const failure = cancelled && !isApiError(error) ? apiErrorFromTransport("cancelled", error) : error;
      // Cancelled upstream, the export leaves nothing behind: the call ends as one that changed nothing.
      throw stopped && isApiError(failure) ? failure.markUndone() : failure;
    }
    const progress = Math.round(current.progress * 100);
    if (progress > reported) {
      reported = progress;
      await ctx.reportProgress(progress, 100, `Export ${current.status}: ${progress}%`);
    }
  }
  return current;
}

/**
 * Cancels with its own signal: the call's signal may already be aborted, and the upstream job would otherwise
 * keep running for nobody. A failed cancel is logged, never thrown, so it cannot hide why the wait ended.
 */
async function cancelUpstream(exportId: string, ctx: CallContext, reason: string): Promise<boolean> {
  let canceled: Export;
  try {
    canceled = await ctx.api.exports.cancel(exportId, {
      signal: AbortSignal.timeout(ctx.config.api.timeoutMs),
    });
  } catch (error) {
    ctx.log.warn({ export_id: exportId, reason, err: error }, "could not cancel the export upstream");
    return false;
  }
  ctx.log.info({ export_id: exportId, reason, status: canceled.status }, "export cancelled upstream");
  try {
    await ctx.state.idempotency.markDone(cancelledHere(exportId));
  } catch (error) {
    // Only costs a restart: a repeat will then report the export cancelled instead of starting the next one.
    ctx.log.warn({ export_id: exportId, err: error }, "could not record that this server cancelled the export");
  }
  return canceled.status === "canceled";
}

export const exportTools = [exportCustomers];
