// How transport errors reach the log: on stderr only (`mirror: false`, never to the client, which already got
// a JSON-RPC error for every line it sent wrong, and whose stdout may be what failed), and at most a bounded
// number a minute, so a client flooding junk cannot flood stderr. Suppressed lines are counted on the next one.
import type { Logger } from "pino";
import { RejectedMessageError } from "./stdio.js";

export interface TransportLogOptions {
  /** Lines logged per window; the rest are counted. */
  maxPerWindow?: number;
  windowMs?: number;
  now?: () => number;
}

export function transportErrorLogger(logger: Logger, options: TransportLogOptions = {}): (error: Error) => void {
  const maxPerWindow = options.maxPerWindow ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let windowStart = Number.NEGATIVE_INFINITY;
  let logged = 0;
  let suppressed = 0;
  return (error) => {
    const time = now();
    if (time - windowStart >= windowMs) {
      windowStart = time;
      logged = 0;
    }
    if (logged >= maxPerWindow) {
      suppressed++;
      return;
    }
    logged++;
    const fields = error instanceof RejectedMessageError
      ? { rejected: error.message, ...(error.code === undefined ? {} : { jsonrpc_code: error.code }) }
      : { err: error };
    logger.warn(
      { mirror: false, ...fields, ...(suppressed ? { suppressed_before: suppressed } : {}) },
      "stdio transport error",
    );
    suppressed = 0;
  };
}
