// The Redis connection of a replica, tuned to fail fast: the state it holds guards writes and money, so a call
// must learn within a second that Redis is not answering (and refuse, or fall back for rate limits) rather than
// wait on a queue. Nothing here logs the URL, the address or the password: failures are logged as a few words
// (describeRedisFailure).
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { ConfigurationError } from "../errors.js";
import { describeRedisFailure } from "./redis-failures.js";

export interface RedisTuning {
  /** A command without an answer by then fails (and its call is refused). */
  readonly commandTimeoutMs: number;
  /** One connection attempt's limit; also how long connectRedis waits for the first one. */
  readonly connectTimeoutMs: number;
  /** Reconnection waits double from 50 ms up to this. */
  readonly maxReconnectDelayMs: number;
}

const DEFAULT_REDIS_TUNING: RedisTuning = {
  commandTimeoutMs: 750,
  connectTimeoutMs: 2_000,
  maxReconnectDelayMs: 2_000,
};

/** Reconnection delay: exponential from 50 ms, capped, with jitter so replicas do not all reconnect at once. */
export function reconnectDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, 50 * 2 ** Math.min(attempt - 1, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function redisOptions(tuning: RedisTuning): RedisOptions {
  return {
    // Commands sent while disconnected fail at once instead of waiting for a reconnection.
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails at once and is never sent again later: a change that
    // lands after its caller was told it failed would make that answer wrong.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: tuning.commandTimeoutMs,
    connectTimeout: tuning.connectTimeoutMs,
    retryStrategy: (attempt) => reconnectDelay(attempt, tuning.maxReconnectDelayMs),
    connectionName: "customer-mcp",
    // RESP2, which every Redis and Redis-protocol proxy speaks (ioredis 6 asks for RESP3 by default, which a
    // server before Redis 6 refuses); nothing here needs RESP3.
    protocol: 2,
  };
}

/**
 * A client for `url` (redis:// or rediss://, credentials in the URL), connected if Redis answers within the
 * connect timeout. It resolves either way: a replica starts while Redis is down (reads go on, writes are refused)
 * and the client keeps reconnecting. Outages are logged once each, and their end once.
 */
export async function connectRedis(url: string, logger: Logger, tuning: Partial<RedisTuning> = {}): Promise<Redis> {
  const settings = { ...DEFAULT_REDIS_TUNING, ...tuning };
  if (!/^rediss?:\/\//i.test(url)) {
    // The value is not repeated: it may carry a password.
    throw new ConfigurationError(["The Redis URL must start with redis:// or rediss://."]);
  }
  const log = logger.child({ component: "redis" });
  const redis = new Redis(url, redisOptions(settings));
  let down = false;
  const outage = (error: string) => {
    if (down) return;
    down = true;
    log.warn({ error }, "Redis is unreachable: writes and refunds are refused until it is back");
  };
  // Without a listener ioredis prints every connection error to the console. A connection closed without an
  // error (reset by a proxy, a server restart) shows only as the reconnection that follows.
  redis.on("error", (error: unknown) => outage(describeRedisFailure(error)));
  redis.on("reconnecting", () => outage("connection to Redis lost"));
  redis.on("ready", () => {
    log.info(down ? "Redis is reachable again" : "connected to Redis");
    down = false;
  });
  await new Promise<void>((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      redis.off("ready", settle);
      redis.off("error", settle);
      resolve();
    };
    const timer = setTimeout(settle, settings.connectTimeoutMs);
    redis.once("ready", settle);
    redis.once("error", settle);
  });
  return redis;
}
