// Shapes of prompts. A prompt pulls the data it needs through ctx.api and returns a ready conversation;
// server/prompts.ts adapts definitions to the SDK so prompt modules never import it.
import type { z } from "zod";
import type { ResourceAccess, ResourceContext } from "../resources/define.js";

export interface PromptMessage {
  role: "user" | "assistant";
  text: string;
}

export interface PromptArgument {
  /**
   * MCP prompt arguments are strings; the schema validates (and may transform) them. An optional schema makes
   * the argument optional in prompts/list.
   */
  schema: z.ZodType<string | undefined, string | undefined>;
  /** Suggests values for a partial input (ids from a prefix, name or email). */
  complete?(partial: string, ctx: ResourceContext): Promise<string[]>;
}

export interface PromptDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly args: Readonly<Record<string, PromptArgument>>;
  /** Every scope of the data the prompt reads; outside the grant the prompt is not registered. */
  readonly access: ResourceAccess;
  build(
    args: Readonly<Record<string, string | undefined>>,
    ctx: ResourceContext,
  ): Promise<{ description?: string; messages: PromptMessage[] }>;
}
