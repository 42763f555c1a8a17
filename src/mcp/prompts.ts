// Prompts: each PromptDefinition the grant covers is registered on McpServer with completable arguments (the
// rest are neither listed nor served); building a prompt goes through the same error translation as resource reads.
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { AppContext } from "../context.js";
import { CHARS_PER_TOKEN } from "../policy/budget.js";
import { clipText } from "../policy/untrusted.js";
import type { PromptDefinition } from "../prompts/define.js";
import { toMcpError } from "./errors.js";
import { isGranted } from "./resources.js";

/** A message the budget has run out for still says what it is about. */
const MIN_MESSAGE_CHARS = 200;

export function registerPrompts(mcp: McpServer, ctx: AppContext, prompts: readonly PromptDefinition[]): void {
  for (const prompt of prompts.filter((candidate) => isGranted(ctx, candidate.access))) {
    const argsSchema = Object.fromEntries(
      Object.entries(prompt.args).map(([name, arg]) => {
        const { complete } = arg;
        if (!complete) return [name, arg.schema];
        return [
          name,
          // completable() marks the schema object itself, so each server marks its own copy.
          completable(arg.schema.clone(), async (value) => {
            try {
              const signal = AbortSignal.timeout(ctx.config.api.timeoutMs);
              return await complete(value ?? "", { ...ctx, signal });
            } catch (error) {
              ctx.logger.warn({ prompt: prompt.name, argument: name, err: error }, "completion failed");
              return [];
            }
          }),
        ];
      }),
    );
    mcp.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema },
      async (args, extra) => {
        const log = ctx.logger.child({ prompt: prompt.name });
        const budgetChars = ctx.config.limits.maxResultTokens * CHARS_PER_TOKEN;
        try {
          const built = await prompt.build(args as Record<string, string>, { ...ctx, signal: extra.signal });
          // Prompts present their data through ctx.policy; this catches any email or phone left in free text.
          // The messages share the response budget like any other result.
          let left = budgetChars;
          const messages = built.messages.map((message) => {
            const text = clipText(ctx.policy.presentText(message.text), Math.max(left, MIN_MESSAGE_CHARS));
            left -= text.length;
            return { role: message.role, content: { type: "text" as const, text } };
          });
          return { ...(built.description ? { description: built.description } : {}), messages };
        } catch (error) {
          throw toMcpError(error, log);
        }
      },
    );
  }
}
