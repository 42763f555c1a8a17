// The shape of a tool. `defineTool` is an identity function whose only job is type inference: the handler's
// `args` are typed from `input`, its return value is checked against `output`.
import { z } from "zod";
import type { Config } from "../config/config.js";
import type { CallContext } from "../context.js";
import type { Scope, Toolset } from "../policy/access.js";

/** All four hints are required so every tool states its safety profile on purpose. */
export interface ToolAnnotations {
  readonly readOnlyHint: boolean;
  readonly destructiveHint: boolean;
  readonly idempotentHint: boolean;
  readonly openWorldHint: boolean;
}

export interface ToolDefinition<
  In extends z.ZodRawShape = z.ZodRawShape,
  Out extends z.ZodRawShape = z.ZodRawShape,
> {
  /** snake_case verb_noun, unique across the server. */
  readonly name: string;
  readonly title: string;
  /** Written for the model: what it is for, when to prefer a sibling tool, limits and paging. */
  readonly description: string;
  readonly input: In;
  readonly output: Out;
  readonly annotations: ToolAnnotations;
  /** Which toolset the tool belongs to and which scopes a grant needs to use it (src/policy/access.ts). */
  readonly access: {
    readonly toolset: Toolset;
    readonly scopes: readonly Scope[];
    /** The tool calls ctx.confirm on every call ("always") or on some ("sometimes"). */
    readonly confirmation?: "always" | "sometimes";
  };
  // Method syntax on purpose: it lets a registry hold tools with different argument types.
  handler(args: z.output<z.ZodObject<In>>, ctx: CallContext): Promise<z.input<z.ZodObject<Out>>>;
  /** The call's deadline, when it must differ from CUSTOMER_API_CALL_TIMEOUT_MS (a long-running export). */
  deadlineMs?(config: Config): number;
  /** Resources the result points to (an export's file, say), sent as `resource_link` content. */
  resourceLinks?(output: z.output<z.ZodObject<Out>>): ResourceLink[];
}

export interface ResourceLink {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export function defineTool<In extends z.ZodRawShape, Out extends z.ZodRawShape>(
  definition: ToolDefinition<In, Out>,
): ToolDefinition<In, Out> {
  return definition;
}

/** In every write's output: the same write was made before (by a retry or an earlier call), and nothing new was. */
export const Replayed = z.boolean().describe("An earlier call made this write; this is its result.");

/** Annotations of a tool that only reads from the customer API. */
export const READ_ONLY: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  // The customer API is a closed, internal system: the tool does not reach an open world.
  openWorldHint: false,
};
