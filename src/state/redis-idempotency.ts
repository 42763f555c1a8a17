// IdempotencyStore in Redis, shared by every replica: an agent's retry that lands on another replica gets the
// key the first call claimed, so the API replays the write instead of doing it twice. Expiry follows the injected
// clock (`now`, passed to the script), as the memory store's does; Redis's own expiry only collects the garbage,
// some time after the clock says an entry is over. Every failure fails closed (StateUnavailableError): a write
// whose key cannot be claimed is not sent.
import type { Redis } from "ioredis";
import { failClosed } from "./redis-failures.js";
import { redisKey } from "./redis-keys.js";
import { LuaScript } from "./redis-script.js";
import type { IdempotencyStore } from "./stores.js";

/** The API replays an Idempotency-Key for 24 hours, so knowing a key was done matters for as long. */
const DONE_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long after its end (by the clock) Redis drops a claim: replicas' clocks may differ by a little. */
const CLAIM_GRACE_MS = 60_000;

/**
 * KEYS[1] the claim; ARGV key, now, until ("" to claim nothing), garbage-collection TTL. Returns the key held
 * (an earlier claim that is still on at `now`) or ARGV[1], claimed until `until`. Times are epoch ms as strings.
 */
const CLAIM = new LuaScript(`
local held = redis.call('HMGET', KEYS[1], 'key', 'until')
if held[1] and tonumber(held[2]) >= tonumber(ARGV[2]) then return held[1] end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], 'key', ARGV[1], 'until', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return ARGV[1]
`);

export interface RedisStoreOptions {
  /** Starts every key, so deployments (and test runs) sharing one Redis never meet. */
  readonly prefix: string;
  /** Epoch ms: the one clock expiry is decided by. */
  readonly now: () => number;
}

export function redisIdempotencyStore(redis: Redis, { prefix, now }: RedisStoreOptions): IdempotencyStore {
  return {
    async claim(identity, key, ttlMs) {
      const at = now();
      const until = ttlMs > 0 ? String(at + ttlMs) : "";
      const gcMs = Math.ceil(Math.max(ttlMs, 0) + CLAIM_GRACE_MS);
      const held = await failClosed(() =>
        CLAIM.run(redis, [redisKey(prefix, "claim", identity)], [key, String(at), until, gcMs]));
      return String(held);
    },
    async markDone(key) {
      await failClosed(() => redis.set(redisKey(prefix, "done", key), "1", "PX", DONE_KEY_TTL_MS));
    },
    async wasDone(key) {
      return (await failClosed(() => redis.exists(redisKey(prefix, "done", key)))) === 1;
    },
  };
}
