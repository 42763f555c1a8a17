// The process-wide parts every call uses: the app context (config, logger, API, clock, state stores), the intake
// that shutdown drains, and the audit trail.
import type { AppContext } from "../context.js";
import type { AuditTrail } from "./audit.js";
import type { CallTracker } from "./lifecycle.js";

export interface PipelineRuntime {
  readonly ctx: AppContext;
  readonly tracker: CallTracker;
  readonly audit: AuditTrail;
  /** Whether a person can be asked to confirm a write: over stdio by elicitation; over HTTP not yet. */
  readonly confirmations: "elicit" | "unavailable";
}
