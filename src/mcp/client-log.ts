// MCP logging: warnings and errors from the server's own log are mirrored to the client as
// `notifications/message`, filtered by the level the client sets with `logging/setLevel` (the SDK keeps that
// level; before any is set, everything mirrored is sent). Only a few safe fields travel: the message, the tool,
// the call id, the error code and the incident id. Log lines are already free of secrets, and arguments and
// upstream bodies are never logged. A line logged with `mirror: false` stays on stderr: the transport's reports
// of rejected client messages are such lines, since the client was answered already and mirroring them would
// double every junk line it sends.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { LoggingLevel } from "@modelcontextprotocol/sdk/types.js";
import type { WarningListener } from "../logger.js";

const FORWARDED_FIELDS = ["tool", "call_id", "error_code", "incident_id", "in_flight"] as const;

/** pino's numeric levels (40 warn, 50 error, 60 fatal) → MCP's syslog levels. */
function mcpLevel(level: number): LoggingLevel {
  if (level >= 60) return "critical";
  if (level >= 50) return "error";
  return "warning";
}

/**
 * Receives warn-or-worse log lines (pass `listener` to createLogger) and forwards them to the attached server.
 * Before a server is attached and after it is detached, lines are dropped here: stderr still has them.
 */
export class ClientLogMirror {
  private server: Server | undefined;

  readonly listener: WarningListener = (level, fields, message) => {
    const server = this.server;
    if (!server || fields.mirror === false) return;
    const data: Record<string, unknown> = { message };
    for (const field of FORWARDED_FIELDS) if (fields[field] !== undefined) data[field] = fields[field];
    // A failed notification (the client went away) must not log: the line would come straight back here.
    server.sendLoggingMessage({ level: mcpLevel(level), logger: "customer-mcp", data }).catch(() => {});
  };

  attach(server: Server): void {
    this.server = server;
  }

  detach(): void {
    this.server = undefined;
  }
}
