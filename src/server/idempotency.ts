// Which Idempotency-Key a write sends. The same tool with the same (normalized) arguments within the window
// reuses the key of the first call, so an agent that repeats a write gets the first result replayed by the API
// instead of a second write; an explicit idempotency_key argument names the write deliberately.
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

export function argumentHash(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args)).digest("hex").slice(0, 32);
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

  /** The key for `tool` called with `args`; `explicit` (the caller's own key) always wins. */
  keyFor(tool: string, args: unknown, explicit?: string): string {
    if (explicit) return `cmcp-${tool}-x-${explicit}`;
    const identity = `${tool}:${argumentHash(args)}`;
    const now = this.now();
    const earlier = this.remembered.get(identity);
    if (earlier && now - earlier.at <= this.windowMs) return earlier.key;
    const key = `cmcp-${tool}-${randomUUID()}`;
    if (this.windowMs > 0) this.remembered.set(identity, { key, at: now });
    return key;
  }
}
