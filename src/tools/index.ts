// Every tool the server offers, in the order tools/list shows them.
import { customerTools } from "./customers.js";
import type { ToolDefinition } from "./define.js";

export const allTools: readonly ToolDefinition[] = [...customerTools];
