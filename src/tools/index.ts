// Every tool the server offers, in the order tools/list shows them: find, open, then act.
import { accountTools } from "./accounts.js";
import { customerTools } from "./customers.js";
import type { ToolDefinition } from "./define.js";
import { exportTools } from "./exports.js";
import { segmentTools } from "./segments.js";
import { ticketTools } from "./tickets.js";
import { transactionTools } from "./transactions.js";

export const allTools: readonly ToolDefinition[] = [
  ...customerTools,
  ...accountTools,
  ...segmentTools,
  ...transactionTools,
  ...ticketTools,
  ...exportTools,
];

/** Every tool's name, in registration order: what configuration checks tool lists against. */
export const TOOL_NAMES: readonly string[] = allTools.map((tool) => tool.name);
