#!/usr/bin/env node
// CLI entry: flags and environment → config and context, then stdio (serve), the HTTP service (serveHttp), the
// sandbox or doctor. stdout is reserved for JSON-RPC: only --help and --version print to it, before any server exists.
import type { Logger } from "pino";
import { type CustomerApi, createCustomerApi, loadHttpLibrary } from "./api/index.js";
import {
  type ApiCredentials,
  type Command,
  type Config,
  HELP_TEXT,
  type HttpSettings,
  parseCommand,
} from "./config/config.js";
import { systemClock } from "./context.js";
import { newIncidentId } from "./pipeline/boundary.js";
import { runDoctor } from "./cli/doctor.js";
import { ConfigurationError } from "./errors.js";
import { createLogger, flushLogger } from "./logger.js";
import type { Sandbox } from "./sandbox/index.js";
import { localPrincipal } from "./pipeline/principal.js";
import { memoryStores } from "./state/memory.js";
import type { RedisStateStores } from "./state/redis.js";
import type { StateStores } from "./state/stores.js";
import { createServer } from "./mcp/server.js";
import { AuditTrail, loggerSink } from "./pipeline/audit.js";
import { fileSink } from "./pipeline/audit-file.js";
import { ClientLogMirror } from "./mcp/client-log.js";
import { CallTracker } from "./pipeline/lifecycle.js";
import { HardenedStdioServerTransport } from "./transports/stdio.js";
import { transportErrorLogger } from "./transports/transport-log.js";
import { allTools, TOOL_NAMES } from "./tools/index.js";
import { createToolCatalog } from "./mcp/catalog.js";
import { type Authenticator, developmentAuthenticator } from "./transports/http/authenticator.js";
import { readPackageInfo } from "./version.js";

const EXIT_CONFIG = 2;
/** How long calls stopped at the end of the grace period get to unwind before the process exits. */
const STOP_SETTLE_MS = 2_000;

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseCommand(process.argv.slice(2), process.env, TOOL_NAMES);
  } catch (error) {
    exitOnConfigurationError(error);
  }
  switch (command.kind) {
    // --help and --version are the only stdout writes: they run before any server exists.
    case "help":
      // eslint-disable-next-line no-restricted-properties
      process.stdout.write(HELP_TEXT);
      return;
    case "version":
      // eslint-disable-next-line no-restricted-properties
      process.stdout.write(`${readPackageInfo().version}\n`);
      return;
    case "sandbox":
      return runStandaloneSandbox(command);
    case "serve":
      return serve(command.config);
    case "http":
      return serveHttp(command);
    case "doctor":
      return doctor(command.config);
  }
}

/** Reports a ConfigurationError (one sentence per problem) and exits 2; rethrows anything else. */
function exitOnConfigurationError(error: unknown): never {
  if (!(error instanceof ConfigurationError)) throw error;
  process.stderr.write(`customer-mcp: configuration error\n${error.problems.map((p) => `  - ${p}\n`).join("")}`);
  process.exit(EXIT_CONFIG);
}

async function runStandaloneSandbox(command: Extract<Command, { kind: "sandbox" }>): Promise<void> {
  const logger = createLogger({ level: command.logLevel });
  const { startSandbox } = await import("./sandbox/index.js");
  const sandbox = await startSandbox({
    port: command.port,
    seed: command.seed,
    faults: command.faults,
    logger,
  });
  // The key and the client secret are new at every start (any local process can reach the port, so nothing
  // fixed may open it); the person who started the sandbox reads them here, on stderr.
  process.stderr.write(
    `Sandbox customer API on ${sandbox.url} (API key: ${sandbox.apiKey}). Ctrl-C stops it.\n`
    + `OAuth client credentials: token URL ${sandbox.url}/oauth/token, client id ${sandbox.clientId}, `
    + `client secret ${sandbox.clientSecret}. Both are new at every start.\n`,
  );
  onShutdownSignal(
    async () => {
      await sandbox.close();
      await flushLogger(logger);
    },
    { watchStdin: false, forced: async () => {} },
  );
}

interface Backend {
  baseUrl: string;
  credentials: ApiCredentials;
  sandbox?: Sandbox;
}

async function connectBackend(config: Config, logger: Logger): Promise<Backend> {
  if (config.backend.kind === "remote") {
    return { baseUrl: config.backend.url, credentials: config.backend.credentials };
  }
  // Loaded only when asked for: the sandbox and its seed data cost start-up time a real deployment never needs.
  const { startSandbox } = await import("./sandbox/index.js");
  const sandbox = await startSandbox({ seed: config.backend.seed, faults: config.backend.faults, logger });
  logger.info({ url: sandbox.url }, `--sandbox: using the built-in sandbox customer API at ${sandbox.url}`);
  return { baseUrl: sandbox.url, credentials: { kind: "api_key", apiKey: sandbox.apiKey }, sandbox };
}

async function doctor(config: Config): Promise<void> {
  const logger = createLogger({ level: "silent" });
  const backend = await connectBackend(config, logger);
  // The report goes to stderr like every other diagnostic: stdout stays reserved for JSON-RPC (and --help).
  const print = (line: string) => process.stderr.write(`${line}\n`);
  const ok = await runDoctor(config, backend, logger, print);
  await backend.sandbox?.close();
  process.exit(ok ? 0 : 1);
}

/**
 * What both servers start with: the process guards, the start-up warnings, the audit trail (an audit file that
 * cannot be used safely stops startup with exit 2, before anything else starts), the backend, the state stores
 * and the API client that records done writes in them.
 */
async function startApp(config: Config, logger: Logger, http?: HttpSettings) {
  guardProcess(logger);
  for (const warning of config.warnings) logger.warn(warning);
  let audit: AuditTrail;
  try {
    audit = auditTrailFor(config, logger, http?.replicaId);
  } catch (error) {
    exitOnConfigurationError(error);
  }
  const { name, version } = readPackageInfo();
  const backend = await connectBackend(config, logger);
  const state = await stateStoresFor(http, logger);
  const api: CustomerApi = createCustomerApi({
    baseUrl: backend.baseUrl,
    credentials: backend.credentials,
    settings: config.api,
    cache: config.cache,
    logger,
    userAgent: `${name}/${version}`,
    doneWrites: state.idempotency,
  });
  return { audit, backend, state, api };
}

/** Shared state in Redis when the HTTP service has one (several replicas), else this process's memory. */
async function stateStoresFor(
  http: HttpSettings | undefined,
  logger: Logger,
): Promise<StateStores & Partial<RedisStateStores>> {
  if (!http?.redisUrl) return memoryStores(systemClock.now);
  // Loaded only when configured: stdio and single replicas never load the Redis client.
  const { connectRedis, redisStores } = await import("./state/redis.js");
  const redis = await connectRedis(http.redisUrl, logger);
  return redisStores(redis, { prefix: http.redisPrefix, now: systemClock.now, logger });
}

/** `customer-mcp http`: many callers over Streamable HTTP, each with the grant their token gives. */
async function serveHttp(command: Extract<Command, { kind: "http" }>): Promise<void> {
  const { config, http } = command;
  const logger = createLogger({ level: config.logLevel });
  const { audit, backend, api, state } = await startApp(config, logger, http);
  const ctx = { config, logger, api, clock: systemClock, state };
  const tracker = new CallTracker();
  const { startHttpService } = await import("./transports/http/service.js");
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
    {
      watchStdin: false,
      forced: async () => {
        audit.interruptOpen();
        await flushLogger(logger);
      },
    },
  );
}

async function authenticatorFor(http: HttpSettings, config: Config, logger: Logger): Promise<Authenticator> {
  if (http.auth.kind === "none") {
    logger.warn("CUSTOMER_MCP_HTTP_AUTH=none: requests are not authenticated; every caller acts as " + config.subject);
    return developmentAuthenticator(config.subject);
  }
  const { oauthAuthenticator } = await import("./transports/http/oauth.js");
  return oauthAuthenticator(http, http.auth, config.access, logger);
}

async function serve(config: Config): Promise<void> {
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
      if (!(await tracker.drain(config.limits.shutdownGraceMs))) {
        logger.warn({ in_flight: tracker.inFlight }, "shutdown grace period ended with calls still in flight: stopping them");
        // Stopped as if cancelled, with a moment to unwind (an export is cancelled upstream, the client answered).
        tracker.stopInFlight();
        await tracker.drain(STOP_SETTLE_MS);
      }
      // Calls that outlived the grace period still get their record, marked interrupted.
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
    {
      watchStdin: true,
      forced: async () => {
        audit.interruptOpen();
        await flushLogger(logger);
      },
    },
  );
}

/**
 * The audit trail: always stderr, plus the JSONL file when CUSTOMER_MCP_AUDIT_FILE is set. The file is opened and
 * checked here (a ConfigurationError if it is unsafe or unusable). A record the file fails to take is logged at
 * error with its call id (the record itself is still on stderr), and writes are refused until the file takes one.
 */
function auditTrailFor(config: Config, logger: Logger, replica?: string): AuditTrail {
  const sinks = [loggerSink(logger)];
  const file = config.auditFile;
  if (file) {
    sinks.push(fileSink(file));
    logger.info({ file }, "audit trail appended to file");
  }
  return new AuditTrail(sinks, {
    ...(replica ? { replica } : {}),
    onWriteFailed: ({ sink, error, callId, failedRecords }) =>
      logger.error(
        { err: error, sink, file, call_id: callId, failed_records: failedRecords },
        "audit record not written to the audit file (it is on stderr); write tools are refused until the file takes a record",
      ),
    onRecovered: ({ sink, failedRecords }) =>
      logger.warn({ sink, file, failed_records: failedRecords }, "audit file writable again; write tools accepted again"),
  });
}

/**
 * Runs `stop` once on SIGINT, SIGTERM or (for the MCP server) stdin closing, which is how a client says it
 * went away; then exits 0. A second signal while stopping exits at once, after `forced` (which writes the
 * records of calls still running: an operator in a hurry still gets the trail).
 */
function onShutdownSignal(
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

/**
 * Last line of defence: tool calls have their own error boundary, so these only see bugs outside a call. A
 * stray rejection is logged with an incident id and the server keeps serving; an uncaught exception leaves
 * the process in an unknown state, so it is logged and the process exits non-zero.
 */
function guardProcess(logger: Logger): void {
  process.on("unhandledRejection", (reason) => {
    logger.error({ incident_id: newIncidentId(), err: reason }, "unhandled promise rejection");
  });
  process.on("uncaughtException", (error) => {
    logger.fatal({ incident_id: newIncidentId(), err: error }, "uncaught exception; exiting");
    void flushLogger(logger).finally(() => process.exit(1));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`customer-mcp: fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
