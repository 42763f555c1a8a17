// Idempotency-Key records for POSTs: same key + same body within 24 h replays, a different body conflicts.
import { createHash } from "node:crypto";
import { ApiError, invalid, type Reply } from "./http.js";

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_RECORDS = 100_000;
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

interface StoredResult {
  bodyHash: string;
  atMs: number;
  reply: Reply;
}

/** JSON with object keys sorted at every level, so key order and whitespace do not change the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function hashBody(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

export function parseIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (typeof header !== "string" || !VALID_KEY.test(header)) {
    throw invalid("Idempotency-Key must be 1-255 visible ASCII characters.", "Idempotency-Key");
  }
  return header;
}

export type IdempotencyLookup = { kind: "new" } | { kind: "replay"; reply: Reply };

export class IdempotencyStore {
  readonly #records = new Map<string, StoredResult>();

  constructor(private readonly clock: () => number) {}

  lookup(scope: string, key: string, bodyHash: string): IdempotencyLookup {
    const id = `${scope}\n${key}`;
    const stored = this.#records.get(id);
    if (!stored) return { kind: "new" };
    if (this.clock() - stored.atMs >= WINDOW_MS) {
      this.#records.delete(id);
      return { kind: "new" };
    }
    if (stored.bodyHash !== bodyHash) {
      throw new ApiError(
        422,
        "idempotency_conflict",
        "This Idempotency-Key was already used with a different request body.",
        "Idempotency-Key",
      );
    }
    return { kind: "replay", reply: stored.reply };
  }

  save(scope: string, key: string, bodyHash: string, reply: Reply): void {
    if (this.#records.size >= MAX_RECORDS) {
      const oldest = this.#records.keys().next();
      if (!oldest.done) this.#records.delete(oldest.value);
    }
    // A snapshot: the record may change later, the replay must not.
    const snapshot: Reply = { ...reply, json: structuredClone(reply.json) };
    this.#records.set(`${scope}\n${key}`, { bodyHash, atMs: this.clock(), reply: snapshot });
  }
}
