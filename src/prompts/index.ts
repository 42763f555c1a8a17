// Every prompt the server offers.
import type { PromptDefinition } from "./define.js";

export const allPrompts: readonly PromptDefinition[] = [];
