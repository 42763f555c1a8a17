// DocumentStore in Redis, shared by every replica: the refund ledgers, so concurrent refunds on two replicas
// cannot both pass a limit. A change is optimistic: read the document and its version, run `change` here, then
// write with a script only if the version is still the one read (a conflict reruns `change` on the new document,
// as the interface allows). Every version is random, so a document deleted and written again never matches an
// old read. Changes to one key from this process are queued (KeyedQueue), so only replicas ever conflict.
//
// Expiry follows the injected clock, as in the memory store: a document is live while `until` > now. Redis's own
// expiry only collects the garbage later. Documents are stored as JSON, so they must be JSON values. Any failure
// of Redis fails closed (StateUnavailableError); an error thrown by `change` reaches the caller as it is, and the
// document stays as it was.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { Redis } from "ioredis";
import { StateUnavailableError } from "../errors.js";
import { KeyedQueue } from "./keyed-queue.js";
import { failClosed } from "./redis-failures.js";
import type { RedisStoreOptions } from "./redis-idempotency.js";
import { redisKey } from "./redis-keys.js";
import { LuaScript } from "./redis-script.js";
import type { DocumentChange, DocumentStore } from "./stores.js";

/** Conflicts one change may meet before giving up: each one means another replica's change went through. */
const MAX_DOCUMENT_ATTEMPTS = 20;
/** The longest pause after a conflict, in ms: pauses grow 2, 4, 8… up to it, each a random part of it. */
const MAX_CONFLICT_PAUSE_MS = 32;
/** How long after its end (by the clock) Redis drops a document. */
const DOCUMENT_GRACE_MS = 60_000;

/**
 * KEYS[1] the document; ARGV version read ("" for none), now, new version ("" deletes), JSON, until,
 * garbage-collection TTL. Returns 1 when written, 0 when the live version is no longer the one read.
 */
const WRITE_IF_UNCHANGED = new LuaScript(`
local held = redis.call('HMGET', KEYS[1], 'version', 'until')
local live = held[1] and tonumber(held[2]) > tonumber(ARGV[2])
if (live and held[1] or '') ~= ARGV[1] then return 0 end
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'version', ARGV[3], 'doc', ARGV[4], 'until', ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
return 1
`);

interface Read {
  version: string;
  doc: unknown;
}

export function redisDocumentStore(redis: Redis, { prefix, now }: RedisStoreOptions): DocumentStore {
  const queue = new KeyedQueue();

  async function read(key: string, at: number): Promise<Read> {
    const [version, doc, until] = await failClosed(() => redis.hmget(key, "version", "doc", "until"));
    if (!version || typeof doc !== "string" || !(Number(until) > at)) return { version: "", doc: undefined };
    return { version, doc: JSON.parse(doc) as unknown };
  }

  async function update<D, T>(key: string, ttlMs: number, change: DocumentChange<D, T>): Promise<T> {
    for (let attempt = 1; attempt <= MAX_DOCUMENT_ATTEMPTS; attempt++) {
      const at = now();
      const current = await read(key, at);
      const next = change(current.doc as D | undefined);
      const written = next.doc === undefined ? ["", ""] : [randomUUID(), JSON.stringify(next.doc)];
      const gcMs = Math.ceil(Math.max(ttlMs, 0) + DOCUMENT_GRACE_MS);
      const args = [current.version, String(at), ...written, String(at + ttlMs), gcMs];
      if ((await failClosed(() => WRITE_IF_UNCHANGED.run(redis, [key], args))) === 1) return next.result;
      // Replicas that run in step would keep meeting each other at the same moment; a random pause breaks that.
      await delay(Math.random() * Math.min(2 ** attempt, MAX_CONFLICT_PAUSE_MS));
    }
    throw new StateUnavailableError(
      "This server's shared state is changed by so many calls at once that this call could not be recorded safely, "
      + "so it was refused before it changed anything.",
      { nextStep: "Nothing was changed. Call again in a few seconds, and avoid making many such calls at once." },
    );
  }

  return {
    update(key, ttlMs, change) {
      const full = redisKey(prefix, "doc", key);
      return queue.run(full, () => update(full, ttlMs, change));
    },
  };
}
