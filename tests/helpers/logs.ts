// A pino logger whose lines are captured in memory, so tests can assert what was (and was not) logged.
import { Writable } from "node:stream";
import type { Logger } from "pino";
import type { LogLevel } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Everything written so far, raw. */
  text(): string;
}

export function captureLogs(level: LogLevel = "debug"): CapturedLogs {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    lines: () =>
      text()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
