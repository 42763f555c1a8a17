// RateLimitStore in Redis: one token bucket per (principal, target) shared by every replica, with the memory
// store's semantics (full at first, continuous refill, time from the injected clock). The bucket is a short Lua
// script rather than rate-limiter-flexible: that library's Redis limiter counts fixed windows of whole seconds
// with an INCR whose window Redis's own clock ends, so it can keep neither the continuous refill nor a clock a
// test can move.
//
// A rate limit is not a guard on money, so it fails open to a bucket in this replica's memory while Redis does not
// answer: calls go on, limited per replica instead of per deployment (warned once per outage).
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { memoryRateLimitStore } from "./memory.js";
import { describeRedisFailure } from "./redis-failures.js";
import type { RedisStoreOptions } from "./redis-idempotency.js";
import { redisKey } from "./redis-keys.js";
import { LuaScript } from "./redis-script.js";
import type { RateDecision, RateLimitStore } from "./stores.js";

/** A bucket untouched for a minute is full again, so Redis may drop it then (and a minute later, to be sure). */
const BUCKET_GC_MS = 120_000;

/**
 * KEYS[1] the bucket; ARGV capacity (calls per minute), now (epoch ms), garbage-collection TTL. Returns
 * {1, 0} when a token was taken, or {0, ms until the next token}. Fractions are stored with 17 digits, so a
 * bucket refills exactly as the memory one does.
 */
const TAKE = new LuaScript(`
local capacity = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
local rate = capacity / 60000
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local ok, retry = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  ok = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', math.max(at, now)))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {ok, retry}
`);

export function redisRateLimitStore(
  redis: Redis,
  { prefix, now, logger }: RedisStoreOptions & { readonly logger: Logger },
): RateLimitStore {
  const fallback = memoryRateLimitStore(now);
  let degraded = false;
  return {
    async take(bucket, perMinute): Promise<RateDecision> {
      // A bucket that never refills refuses for ever, as the memory store says (the configuration never asks).
      if (!(perMinute > 0)) return fallback.take(bucket, perMinute);
      let reply: unknown;
      try {
        reply = await TAKE.run(redis, [redisKey(prefix, "rate", bucket)], [perMinute, String(now()), BUCKET_GC_MS]);
      } catch (error) {
        if (!degraded) {
          degraded = true;
          logger.warn(
            { error: describeRedisFailure(error) },
            "Redis does not answer: rate limits are kept per replica until it is back",
          );
        }
        return fallback.take(bucket, perMinute);
      }
      if (degraded) {
        degraded = false;
        logger.info("Redis answers again: rate limits are shared again");
      }
      const [ok, retryAfterMs] = reply as [number, number];
      return { ok: ok === 1, retryAfterMs: Number(retryAfterMs) };
    },
  };
}
