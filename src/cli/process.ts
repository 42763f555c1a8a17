// The process around a command: how a configuration error ends it (exit 2, one sentence per problem), how a
// signal or a closed stdin stops it, and the last-resort handlers for errors outside any call.
import type { Logger } from "pino";
import { ConfigurationError } from "../errors.js";
import { flushLogger } from "../logger.js";
import type { AuditTrail } from "../pipeline/audit.js";
import { newIncidentId } from "../pipeline/boundary.js";

const EXIT_CONFIG = 2;

/** Reports a ConfigurationError (one sentence per problem) and exits 2; rethrows anything else. */
export function exitOnConfigurationError(error: unknown): never {
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`customer-mcp: configuration error\n${error.problems.map((p) => `  - ${p}\n`).join("")}`);
  process.exit(EXIT_CONFIG);
}

/**
 * Runs `stop` once on SIGINT, SIGTERM or (for the MCP server) stdin closing, which is how a client says it
 * went away; then exits 0. A second signal while stopping exits at once, after `forced` (which writes the
 * records of calls still running: an operator in a hurry still gets the trail).
 */
export function onShutdownSignal(
  stop: (reason: string) => Promise<void>,
  options: { watchStdin: boolean; forced: () => Promise<void> },
): void {
  let stopping = false;
  const handle = (reason: string, isSignal: boolean) => {
    if (stopping) {
      if (isSignal) void options.forced().finally(() => process.exit(0));
      return;
    }
    stopping = true;
    stop(reason)
      .catch((error: unknown) =>
        process.stderr.write(`customer-mcp: error during shutdown: ${String(error)}\n`),
      )
      .finally(() => process.exit(0));
  };
  process.on("SIGINT", () => handle("SIGINT", true));
  process.on("SIGTERM", () => handle("SIGTERM", true));
  if (options.watchStdin) {
    // "end" and "close" both follow the client going away; either starts the same, single shutdown.
    process.stdin.once("end", () => handle("stdin closed", false));
    process.stdin.once("close", () => handle("stdin closed", false));
  }
}

/** A forced stop (a second signal): the records of calls still running, flushed, before the process exits. */
export async function recordOpenCalls(audit: AuditTrail, logger: Logger): Promise<void> {
  audit.interruptOpen();
  await flushLogger(logger);
}

/**
 * Last line of defence: tool calls have their own error boundary, so these only see bugs outside a call. A
 * stray rejection is logged with an incident id and the server keeps serving; an uncaught exception leaves
 * the process in an unknown state, so it is logged and the process exits non-zero.
 */
export function guardProcess(logger: Logger): void {
  process.on("unhandledRejection", (reason) => {
    logger.error({ incident_id: newIncidentId(), err: reason }, "unhandled promise rejection");
  });
  process.on("uncaughtException", (error) => {
    logger.fatal({ incident_id: newIncidentId(), err: error }, "uncaught exception; exiting");
    void flushLogger(logger).finally(() => process.exit(1));
  });
}
