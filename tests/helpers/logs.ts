// A pino logger whose lines are captured in memory, so tests can assert what was (and was not) logged.
import { Writable } from "node:stream";
import type { Logger } from "pino";
import type { LogLevel } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, parsed; throws on a line that names a key twice in one object. */
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
        .map((line) => {
          const repeated = repeatedKeys(line);
          if (repeated.length > 0) throw new Error(`log line names ${repeated.join(", ")} twice: ${line.slice(0, 300)}`);
          return JSON.parse(line) as Record<string, unknown>;
        }),
  };
}

/**
 * Keys that one object of a JSON text names more than once. JSON.parse keeps the last silently, but log pipelines
 * that refuse duplicate keys drop the whole line (a child logger binding a field the line also sets does this).
 */
export function repeatedKeys(json: string): string[] {
  const repeated: string[] = [];
  const stack: Array<{ keys: Set<string>; expectingKey: boolean } | "array"> = [];
  for (let i = 0; i < json.length; i++) {
    const char = json[i];
    const top = stack.at(-1);
    if (char === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      if (top !== undefined && top !== "array" && top.expectingKey) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) repeated.push(key);
        top.keys.add(key);
        top.expectingKey = false;
      }
      i = end;
    } else if (char === "{") stack.push({ keys: new Set(), expectingKey: true });
    else if (char === "[") stack.push("array");
    else if (char === "}" || char === "]") stack.pop();
    else if (char === "," && top !== undefined && top !== "array") top.expectingKey = true;
  }
  return repeated;
}
