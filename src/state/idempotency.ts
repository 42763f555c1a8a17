// Which Idempotency-Key a write sends. The key is derived, not random: the same caller calling the same tool with
// the same (normalized) arguments in the same time window gets the same key, in this process, after a restart
// or on another replica, so the API replays the first write instead of doing it again. Within a process the
// first call's key is also remembered for the whole window, so a repeat that crosses a window boundary still
// replays. An explicit idempotency_key argument names the write deliberately.
import { createHash, randomUUID } from "node:crypto";
import { LRUCache } from "lru-cache";

/** JSON with object keys sorted, so argument order does not change the identity of a write. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string, hexChars: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, hexChars);
}

export function argumentHash(args: unknown): string {
  return sha256(canonicalJson(args), 32);
}

export class IdempotencyKeys {
  private readonly remembered: LRUCache<string, { key: string; at: number }>;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    maxEntries = 10_000,
  ) {
    this.remembered = new LRUCache({ max: maxEntries });
  }

  /**
   * The key for `caller` calling `tool` with `args`; `explicit` (the caller's own key) always wins. A window of 0
   * turns implicit reuse off: every call without an explicit key is a new write.
   */
  keyFor(tool: string, args: unknown, caller: string, explicit?: string): string {
    // The caller is part of every key, so two callers can never replay (and read) each other's writes.
    const who = sha256(caller, 12);
    if (explicit) return `cmcp-${tool}-x-${who}-${explicit}`;
    if (this.windowMs <= 0) return `cmcp-${tool}-${who}-${randomUUID()}`;
    const identity = `${who}:${tool}:${argumentHash(args)}`;
    const now = this.now();
    const earlier = this.remembered.get(identity);
    if (earlier && now - earlier.at <= this.windowMs) return earlier.key;
    const slot = Math.floor(now / this.windowMs);
    const key = `cmcp-${tool}-${who}-${sha256(`${identity}:${this.windowMs}:${slot}`, 32)}`;
    this.remembered.set(identity, { key, at: now });
    return key;
  }
}
