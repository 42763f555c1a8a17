// Human confirmation of writes that move money or block an account, through MCP elicitation (form mode). The
// user sees exactly what will happen and must tick one box; declining, cancelling, not answering or a client
// error all mean nothing happens. A client that cannot ask its user is refused (fail closed) unless the operator
// set CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES for an autonomous deployment.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Config } from "../config/config.js";
import type { ConfirmationRequest, UntrustedValue } from "../context.js";
import { type AppError, ConfirmationDeclinedError, ConfirmationRequiredError } from "../errors.js";
import { sanitizeText } from "../policy/untrusted.js";

/** `elicit`: ask through MCP elicitation (stdio). `unavailable`: nobody can be asked (HTTP, for now). */
export type Confirmations = "elicit" | "unavailable";

/** How the confirmation ended when the write may go ahead; anything else throws. */
export type ConfirmationDecision = "confirmed" | "unconfirmed";

/** How long a person has to answer before the write is abandoned. */
export const CONFIRMATION_TIMEOUT_MS = 5 * 60_000;

const NOTHING_DONE = "Nothing was changed.";

export interface ConfirmOptions {
  server: Server;
  /**
   * Whether a person can be asked at all. Over stateless HTTP an elicitation cannot be held open across
   * replicas, so confirmations are `unavailable` there (whatever CUSTOMER_MCP_ALLOW_UNCONFIRMED_WRITES says)
   * until approvals have a page of their own.
   */
  confirmations: Confirmations;
  writes: Config["writes"];
  signal: AbortSignal;
  /** Runs the wait without spending the call's API deadline. */
  outsideDeadline<T>(fn: () => Promise<T>): Promise<T>;
}

/** Longest untrusted value a form shows: a name fits, a screenful of fake form does not. */
export const MAX_CONFIRMATION_VALUE = 80;

/** One line: every run of whitespace (line breaks included) becomes one space. */
function oneLine(text: string): string {
  return sanitizeText(text).replace(/\s+/g, " ").trim();
}

/**
 * A detail's value as the form shows it. Text someone else wrote is put on one line, clipped and quoted, with its
 * own quotes escaped, so it can neither add lines to the form nor pass for the form's own words.
 */
export function confirmationValue(value: string | UntrustedValue): string {
  if (typeof value === "string") return oneLine(value);
  const text = oneLine(value.untrusted);
  const clipped = text.length > MAX_CONFIRMATION_VALUE ? `${text.slice(0, MAX_CONFIRMATION_VALUE)}…` : text;
  return `"${clipped.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The form message: the action, then one `label: value` line per fact, then what declining does. */
export function confirmationMessage(request: ConfirmationRequest): string {
  const width = Math.max(...request.details.map(([label]) => label.length));
  const lines = request.details.map(([label, value]) => `  ${`${label}:`.padEnd(width + 2)}${confirmationValue(value)}`);
  return [oneLine(request.summary), "", ...lines, "", "Nothing happens unless you confirm."].join("\n");
}

function canElicitForm(server: Server): boolean {
  return server.getClientCapabilities()?.elicitation?.form !== undefined;
}

/**
 * Asks the user to confirm `request`. Resolves with the decision when the write may proceed; throws
 * ConfirmationDeclinedError when the user said no (or did not answer) and ConfirmationRequiredError when this
 * client cannot ask and unconfirmed writes are not allowed.
 */
export async function confirmWrite(
  request: ConfirmationRequest,
  options: ConfirmOptions,
): Promise<ConfirmationDecision> {
  if (options.confirmations === "unavailable") {
    throw new ConfirmationRequiredError(
      `${request.action} needs a person to confirm it, and this server cannot ask for a confirmation over HTTP yet. `
      + NOTHING_DONE,
      {
        nextStep: "Do not retry. Tell the user this action must be confirmed in a stdio MCP client that supports "
          + "elicitation, or done directly in the customer system.",
      },
    );
  }
  if (!canElicitForm(options.server)) {
    if (options.writes.allowUnconfirmed) return "unconfirmed";
    throw new ConfirmationRequiredError(
      `${request.action} needs a person to confirm it, and this MCP client cannot show a confirmation form `
      + `(it does not support elicitation). ${NOTHING_DONE}`,
      {
        nextStep: "Do not retry. Tell the user this action must be confirmed in a client that supports MCP "
          + "elicitation, or done directly in the customer system.",
      },
    );
  }
  let answer;
  try {
    answer = await options.outsideDeadline(() =>
      options.server.elicitInput(
        {
          mode: "form",
          message: confirmationMessage(request),
          requestedSchema: {
            type: "object",
            properties: {
              confirm: {
                type: "boolean",
                title: oneLine(request.confirmLabel),
                description: "Tick to go ahead. Declining or leaving it unticked changes nothing.",
                default: false,
              },
            },
            required: ["confirm"],
          },
        },
        { signal: options.signal, timeout: CONFIRMATION_TIMEOUT_MS },
      ),
    );
  } catch (error) {
    throw unansweredError(request, error, options.signal);
  }
  if (answer.action === "accept" && answer.content?.confirm === true) return "confirmed";
  const how = answer.action === "cancel" ? "cancelled" : "declined";
  throw new ConfirmationDeclinedError(`The user ${how} ${request.action}. ${NOTHING_DONE}`, {
    nextStep: "Do not retry or look for another way to do it. Ask the user what they want to do instead.",
  });
}

function unansweredError(request: ConfirmationRequest, error: unknown, signal: AbortSignal): AppError {
  if (signal.aborted) {
    return new ConfirmationDeclinedError(`The call was cancelled while waiting for confirmation. ${NOTHING_DONE}`, {
      cause: error,
      nextStep: "Do not retry unless the user asks for it again.",
    });
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new ConfirmationDeclinedError(
      `No one confirmed ${request.action} within ${CONFIRMATION_TIMEOUT_MS / 60_000} minutes. ${NOTHING_DONE}`,
      { cause: error, nextStep: "Ask the user whether they still want this, then call the tool again." },
    );
  }
  return new ConfirmationRequiredError(
    `The client could not show the confirmation for ${request.action}. ${NOTHING_DONE}`,
    { cause: error, nextStep: "Do not retry. Tell the user the action could not be confirmed in this client." },
  );
}
