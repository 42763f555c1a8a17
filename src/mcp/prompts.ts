// Prompts: each PromptDefinition the principal's grant covers is registered on McpServer with completable
// arguments (the rest are neither listed nor served). Building a prompt and completing an argument are calls
// through the pipeline, like resource reads.
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { GetPromptResult } from "@modelcontextprotocol/sdk/types.js";
import { type PipelineRuntime, runCall } from "../pipeline/call.js";
import type { Principal } from "../pipeline/principal.js";
import { CHARS_PER_TOKEN } from "../policy/budget.js";
import type { Policy } from "../policy/index.js";
import { clipText } from "../policy/untrusted.js";
import type { PromptDefinition, PromptMessage } from "../prompts/define.js";
import { toMcpError } from "./errors.js";
import { completeAsCall, isGranted, principalContext } from "./resources.js";

/** A message the budget has run out for still says what it is about. */
const MIN_MESSAGE_CHARS = 200;

export function registerPrompts(
  mcp: McpServer,
  runtime: PipelineRuntime,
  principal: () => Principal,
  prompts: readonly PromptDefinition[],
): void {
  const { ctx } = runtime;
  for (const prompt of prompts.filter((candidate) => isGranted(principal(), candidate.access))) {
    const argsSchema = Object.fromEntries(
      Object.entries(prompt.args).map(([name, arg]) => {
        const { complete } = arg;
        if (!complete) return [name, arg.schema];
        return [
          name,
          // completable() marks the schema object itself, so each server marks its own copy.
          completable(arg.schema.clone(), (value) =>
            completeAsCall(runtime, principal(), { prompt: prompt.name, argument: name }, value ?? "",
              (rctx) => complete(value ?? "", rctx))),
        ];
      }),
    );
    mcp.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema },
      async (args, extra): Promise<GetPromptResult> => {
        const outcome = await runCall(runtime, {
          method: "prompts/get",
          target: { prompt: prompt.name },
          arguments: args,
          principal: principal(),
          signal: extra.signal,
        }, {
          admission: { label: prompt.name, write: false, bucket: `prompt:${prompt.name}` },
          // The SDK has checked the arguments against argsSchema already.
          parse: (raw) => raw as Record<string, string | undefined>,
          deadlineMs: ctx.config.api.callTimeoutMs,
          run: (parsed, call) => prompt.build(parsed, principalContext(runtime, call)),
          present: (built, call) => ({
            ...(built.description ? { description: built.description } : {}),
            messages: presentMessages(built.messages, call.principal.policy, ctx.config.limits.maxResultTokens),
          }),
        });
        if (!outcome.ok) throw toMcpError(outcome.error, outcome.payload);
        return outcome.value;
      },
    );
  }
}

/**
 * Prompts present their data through the policy already; this catches any email or phone left in free text. The
 * messages share the response budget like any other result.
 */
function presentMessages(messages: readonly PromptMessage[], policy: Policy, budgetTokens: number) {
  let left = budgetTokens * CHARS_PER_TOKEN;
  return messages.map((message) => {
    const text = clipText(policy.presentText(message.text), Math.max(left, MIN_MESSAGE_CHARS));
    left -= text.length;
    return { role: message.role, content: { type: "text" as const, text } };
  });
}
