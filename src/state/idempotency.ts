// Which Idempotency-Key a write sends. The key is derived, not random: the same caller calling the same tool with
// the same (normalized) arguments in the same time window gets the same key, in this process, after a restart
// or on another replica, so the API replays the first write instead of doing it again. The first call's key is
// also claimed in the IdempotencyStore for the whole window, so a repeat that crosses a window boundary still
// replays. An explicit idempotency_key argument names the write deliberately.
import { createHash, randomUUID } from "node:crypto";
import type { IdempotencyStore } from "./stores.js";

/**
 * JSON with object keys sorted at every level (by code point, so no locale can change it), the one canonical form
 * of arguments: equal arguments, whatever their key order, give equal idempotency keys and audit hashes.
 */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, item: unknown) =>
      item !== null && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
        : item,
    ) ?? "null"
  );
}

function sha256(text: string, hexChars: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, hexChars);
}

export function argumentHash(args: unknown): string {
  return sha256(canonicalJson(args), 32);
}

/**
 * The Idempotency-Key of a write. Derived, so the same call in the same window slot gets the same key in any
 * process; claimed in the IdempotencyStore, so within a window from the first call every repeat reuses that call's
 * key even across a slot boundary.
 */
export class IdempotencyKeys {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * The key for `caller` calling `tool` with `args`; `explicit` (the caller's own key) always wins. A window of 0
   * turns implicit reuse off: every call without an explicit key is a new write.
   */
  async keyFor(tool: string, args: unknown, caller: string, explicit?: string): Promise<string> {
    // The caller is part of every key, so two callers can never replay (and read) each other's writes.
    const who = sha256(caller, 12);
    if (explicit) return `cmcp-${tool}-x-${who}-${explicit}`;
    if (this.windowMs <= 0) return `cmcp-${tool}-${who}-${randomUUID()}`;
    const identity = `${who}:${tool}:${argumentHash(args)}`;
    const slot = Math.floor(this.now() / this.windowMs);
    const key = `cmcp-${tool}-${who}-${sha256(`${identity}:${this.windowMs}:${slot}`, 32)}`;
    return this.store.claim(`idempotency:${identity}`, key, this.windowMs);
  }
}
