// The root pino logger. It writes to file descriptor 2 only, because stdout carries the JSON-RPC stream and a
// single stray byte there breaks the client. Redaction is a safety net: code should not log secrets at all.
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config/config.js";

/** Keys whose values are censored wherever they appear (top level and one or two objects deep). */
const SECRET_KEYS = new Set([
  "authorization",
  "Authorization",
  "apiKey",
  "api_key",
  "token",
  "access_token",
  "refresh_token",
  "client_secret",
  "secret",
  "password",
  "cookie",
]);
const CENSOR = "[redacted]";
/** A secret key is found at depth 0 (`key`), 1 (`*.key`) or 2 (`*.*.key`). */
const MAX_DEPTH = 2;

/**
 * Returns `value` itself when no secret key appears within three levels (the common case: nothing is copied),
 * otherwise a copy with those values censored. Used instead of pino's `redact` option: with wildcard paths that
 * option clones and walks every logged value, which made logging the largest CPU cost of a cached tool call
 * (docs/benchmarks.md). Only plain objects, arrays and errors are searched; an error is copied as an error.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== "object") return value;
  const isError = value instanceof Error;
  if (!isError && !Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const current = source[key];
    const next = SECRET_KEYS.has(key) ? CENSOR : depth < MAX_DEPTH ? redactSecrets(current, depth + 1) : current;
    if (next === current) continue;
    copy ??= isError ? cloneError(source) : Array.isArray(source) ? ([...source] as typeof source) : { ...source };
    copy[key] = next;
  }
  return (copy ?? value) as T;
}

/** Own properties (message and stack included) on the same prototype: still an Error to pino's serializer. */
function cloneError<T extends object>(error: T): T {
  return Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as T;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Defaults to stderr; tests pass a stream to capture lines. */
  destination?: DestinationStream;
  /** Also receives every warn, error and fatal line (MCP logging mirrors them to the client). */
  onWarning?: WarningListener;
}

/** A warn-or-worse log line: pino's numeric level, the child's bindings merged with the logged object, the message. */
export type WarningListener = (level: number, fields: Record<string, unknown>, message: string) => void;

const WARN_LEVEL = 40;

/** The logged object and message of a pino call, whichever of its forms was used. */
function entryOf(args: unknown[]): { fields: Record<string, unknown>; message: string } {
  const [first, second] = args;
  if (typeof first === "string") return { fields: {}, message: first };
  const fields = first instanceof Error ? { err: first } : ((first ?? {}) as Record<string, unknown>);
  return { fields, message: typeof second === "string" ? second : first instanceof Error ? first.message : "" };
}

export function createLogger(options: LoggerOptions): Logger {
  const { onWarning } = options;
  const destination = options.destination ?? pino.destination({ dest: 2, sync: false });
  const logger = pino(
    {
      name: "customer-mcp",
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(onWarning ? { hooks: { logMethod: mirrorWarnings(onWarning) } } : {}),
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redactSecrets(bindings),
        log: (object) => redactSecrets(object),
      },
    },
    destination,
  );
  // pino gives child bindings no formatter, so they are redacted on the way in. Every child (and grandchild)
  // is created from the root by prototype, so it inherits this method.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as Logger["child"];
  return logger;
}

/** A pino `logMethod` hook: hands warn-or-worse lines to `listener`, then logs as usual. Never throws. */
function mirrorWarnings(listener: WarningListener) {
  return function (this: Logger, args: Parameters<Logger["info"]>, method: (...a: unknown[]) => void, level: number) {
    if (level >= WARN_LEVEL) {
      try {
        const { fields, message } = entryOf(args);
        listener(level, redactSecrets({ ...this.bindings(), ...fields }), message);
      } catch {
        // The mirror is a convenience; the line still goes to stderr below.
      }
    }
    method.apply(this, args);
  };
}

/** Writes out buffered log lines; call before exiting. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.flush(() => resolve());
  });
}
