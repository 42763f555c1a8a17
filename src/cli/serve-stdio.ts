// `customer-mcp` (serve): one MCP session over stdio for whoever started the process, with the grant the
// configuration gives. stdout carries JSON-RPC only; everything else goes to stderr.
import { loadHttpLibrary } from "../api/index.js";
import type { Config } from "../config/config.js";
import { systemClock } from "../context.js";
import { createLogger, flushLogger } from "../logger.js";
import { ClientLogMirror } from "../mcp/client-log.js";
import { createServer } from "../mcp/server.js";
import { CallTracker } from "../pipeline/lifecycle.js";
import { localPrincipal } from "../pipeline/principal.js";
import { HardenedStdioServerTransport } from "../transports/stdio.js";
import { transportErrorLogger } from "../transports/transport-log.js";
import { readPackageInfo } from "../version.js";
import { startApp } from "./app.js";
import { onShutdownSignal, recordOpenCalls } from "./process.js";

export async function serveStdio(config: Config): Promise<void> {
  const clientLog = new ClientLogMirror();
  const logger = createLogger({ level: config.logLevel, onWarning: clientLog.listener });
  const { audit, backend, api, state } = await startApp(config, logger);
  const tracker = new CallTracker();
  // Over stdio there is one principal: whoever started this process, with the grant the configuration gives.
  const principal = localPrincipal(config);
  const { grant, canSeePii } = principal.policy;
  logger.info({ subject: principal.subject, scopes: [...grant.scopes], pii: canSeePii }, "access granted to the agent");
  const ctx = { config, logger, api, clock: systemClock, state };
  const server = createServer(ctx, { principal, tracker, audit, clientLog });
  const transport = new HardenedStdioServerTransport();
  transport.onerror = transportErrorLogger(logger);
  await server.connect(transport);
  // The HTTP library loads lazily so `initialize` is answered sooner; warm it up right after, before the first call.
  setImmediate(() => void loadHttpLibrary().catch((error: unknown) => logger.error({ err: error }, "loading axios failed")));
  logger.info({ version: readPackageInfo().version, backend: config.backend.kind }, "customer-mcp ready on stdio");

  onShutdownSignal(
    async (reason) => {
      logger.info({ reason, in_flight: tracker.inFlight }, "shutting down: taking no new calls");
      // Calls still running after the grace period are stopped as if cancelled, with a moment to unwind.
      if (!(await tracker.shutdown(config.limits.shutdownGraceMs))) {
        logger.warn({ in_flight: tracker.inFlight }, "shutdown grace period ended with calls still in flight: they were stopped");
      }
      // Calls that have still not ended get their record, marked interrupted (or unknown after a write).
      await audit.close();
      clientLog.detach();
      // A call counts as finished just before the SDK writes its response; one turn of the event loop lets
      // that write happen before the transport closes.
      await new Promise((resolve) => setImmediate(resolve));
      await server.close();
      api.close();
      await backend.sandbox?.close();
      await flushLogger(logger);
    },
    { watchStdin: true, forced: () => recordOpenCalls(audit, logger) },
  );
}
