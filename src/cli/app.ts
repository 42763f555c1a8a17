// What every server command starts with, over stdio or HTTP: the process guards, the start-up warnings, the
// audit trail, the backend (the customer API or the built-in sandbox), the state stores and the API client.
import type { Logger } from "pino";
import { type CustomerApi, createCustomerApi } from "../api/index.js";
import type { ApiCredentials, Config, HttpSettings } from "../config/config.js";
import { systemClock } from "../context.js";
import { fileSink } from "../pipeline/audit-file.js";
import { AuditTrail, loggerSink } from "../pipeline/audit.js";
import type { Sandbox } from "../sandbox/index.js";
import { memoryStores } from "../state/memory.js";
import type { RedisStateStores } from "../state/redis.js";
import type { StateStores } from "../state/stores.js";
import { readPackageInfo } from "../version.js";
import { exitOnConfigurationError, guardProcess } from "./process.js";

export interface Backend {
  baseUrl: string;
  credentials: ApiCredentials;
  sandbox?: Sandbox;
}

export interface App {
  audit: AuditTrail;
  backend: Backend;
  state: StateStores & Partial<RedisStateStores>;
  api: CustomerApi;
}

export async function connectBackend(config: Config, logger: Logger): Promise<Backend> {
  if (config.backend.kind === "remote") {
    return { baseUrl: config.backend.url, credentials: config.backend.credentials };
  }
  // Loaded only when asked for: the sandbox and its seed data cost start-up time a real deployment never needs.
  const { startSandbox } = await import("../sandbox/index.js");
  const sandbox = await startSandbox({ seed: config.backend.seed, faults: config.backend.faults, logger });
  logger.info({ url: sandbox.url }, `--sandbox: using the built-in sandbox customer API at ${sandbox.url}`);
  return { baseUrl: sandbox.url, credentials: { kind: "api_key", apiKey: sandbox.apiKey }, sandbox };
}

/**
 * What both servers start with: the process guards, the start-up warnings, the audit trail (an audit file that
 * cannot be used safely stops startup with exit 2, before anything else starts), the backend, the state stores
 * and the API client that records done writes in them.
 */
export async function startApp(config: Config, logger: Logger, http?: HttpSettings): Promise<App> {
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
  const api = createCustomerApi({
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
  const { connectRedis, redisStores } = await import("../state/redis.js");
  const redis = await connectRedis(http.redisUrl, logger);
  return redisStores(redis, { prefix: http.redisPrefix, now: systemClock.now, logger });
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
