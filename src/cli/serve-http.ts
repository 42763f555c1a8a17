// `customer-mcp http`: many callers over Streamable HTTP, each with the grant their token gives (or, in
// development on loopback, the configured subject's). Drains on SIGINT or SIGTERM.
import type { Logger } from "pino";
import type { Command, Config, HttpSettings } from "../config/config.js";
import { systemClock } from "../context.js";
import { createLogger, flushLogger } from "../logger.js";
import { createToolCatalog, scopesWithoutConfirmation } from "../mcp/catalog.js";
import { CallTracker } from "../pipeline/lifecycle.js";
import { allTools } from "../tools/index.js";
import { type Authenticator, developmentAuthenticator } from "../transports/http/authenticator.js";
import { readPackageInfo } from "../version.js";
import { startApp } from "./app.js";
import { exitOnConfigurationError, onShutdownSignal, recordOpenCalls } from "./process.js";

export async function serveHttp(command: Extract<Command, { kind: "http" }>): Promise<void> {
  const { config, http } = command;
  const logger = createLogger({ level: config.logLevel });
  const { audit, backend, api, state } = await startApp(config, logger, http);
  const ctx = { config, logger, api, clock: systemClock, state };
  const tracker = new CallTracker();
  const { startHttpService } = await import("../transports/http/service.js");
  let authenticator: Authenticator;
  try {
    authenticator = await authenticatorFor(http, config, logger);
  } catch (error) {
    exitOnConfigurationError(error);
  }
  const service = await startHttpService({
    ctx,
    settings: http,
    authenticator,
    catalog: createToolCatalog(allTools),
    tracker,
    audit,
    // Reported, not required: without Redis reads go on (writes fail closed), and without the API every call
    // still gets a clear error; a load balancer taking every replica out would turn both into refused connections.
    checks: [
      { name: "customer_api", required: false, check: async () => (await api.health()).status === "ok" },
      ...(state.health ? [{ name: "redis", required: false, check: async () => (await state.health?.())?.ok === true }] : []),
    ],
    logger,
  });
  const ready = { url: `${service.url}/mcp`, public_url: http.publicUrl.href, auth: http.auth.kind, replica: http.replicaId };
  logger.info({ version: readPackageInfo().version, ...ready }, `customer-mcp ready on ${service.url}/mcp`);
  onShutdownSignal(
    async (reason) => {
      logger.info({ reason, in_flight: tracker.inFlight }, "draining: taking no new requests");
      if (!(await service.drain(config.limits.shutdownGraceMs))) {
        logger.warn({ in_flight: tracker.inFlight }, "shutdown grace period ended with calls still in flight: they were stopped");
      }
      await audit.close();
      api.close();
      await state.close?.();
      await backend.sandbox?.close();
      await flushLogger(logger);
    },
    { watchStdin: false, forced: () => recordOpenCalls(audit, logger) },
  );
}

async function authenticatorFor(http: HttpSettings, config: Config, logger: Logger): Promise<Authenticator> {
  if (http.auth.kind === "none") {
    logger.warn("CUSTOMER_MCP_HTTP_AUTH=none: requests are not authenticated; every caller acts as " + config.subject);
    return developmentAuthenticator(config.subject);
  }
  // Loaded only with OAuth: jose and the key handling are not needed in development mode.
  const { oauthAuthenticator } = await import("../transports/http/oauth.js");
  return oauthAuthenticator(http, http.auth, scopesWithoutConfirmation(config.access, allTools), logger);
}
