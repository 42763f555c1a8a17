// What a Redis failure means to a caller. Anything that guards a write or money fails closed with
// StateUnavailableError; its message is written for the model and names nothing about the deployment, and its
// cause says what failed in a few words, never with the command's arguments (keys name principals, documents hold
// ledgers) or the server's address.
import { StateUnavailableError } from "../errors.js";

/** A few words on what failed, safe for logs and /readyz: no URL, address, password, key or argument. */
export function describeRedisFailure(error: unknown): string {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  const text = typeof message === "string" ? message : "";
  if (text.includes("Command timed out")) return "Redis did not answer within the command timeout";
  if (name === "MaxRetriesPerRequestError" || /Stream isn't writeable|Connection is closed/.test(text)) {
    return "not connected to Redis";
  }
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return `connection to Redis failed (${code})`;
  // A reply error starts with its kind (NOAUTH, WRONGPASS, OOM, READONLY, ERR); the rest may quote a script.
  if (name === "ReplyError") return `Redis refused the command (${/^[A-Z]+/.exec(text)?.[0] ?? "error"})`;
  return `Redis failed (${typeof name === "string" ? name : "unknown error"})`;
}

/** The cause a StateUnavailableError carries: what failed, without the client's command and its arguments. */
function safeCause(error: unknown): Error {
  const cause = new Error(describeRedisFailure(error));
  cause.name = "RedisFailure";
  return cause;
}

/** The refusal of a call whose write or refund needed shared state that did not answer. */
function stateUnavailable(error: unknown): StateUnavailableError {
  return new StateUnavailableError(
    "This server's shared state (Redis) did not answer, so the call was refused before it changed anything.",
    {
      cause: safeCause(error),
      nextStep: "Nothing was changed. Writes and refunds are refused until the shared state is reachable again; "
        + "read tools still work. Tell the user that an operator must check the server's Redis, then call again.",
    },
  );
}

/** Runs one Redis step of a guard: any failure of it is a StateUnavailableError (fail closed). */
export async function failClosed<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw stateUnavailable(error);
  }
}
