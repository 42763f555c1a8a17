// The Redis the service tests use: CUSTOMER_MCP_TEST_REDIS_URL, or one on the default port of this machine.
// Every test file works under a prefix of its own and deletes its keys afterwards, so runs (and files running at
// once) never see each other's entries and a shared Redis is left as it was.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll } from "vitest";
import { connectRedis, type RedisTuning } from "../../src/state/redis.js";
import { captureLogs, type CapturedLogs } from "../helpers/logs.js";

export const TEST_REDIS_URL = process.env.CUSTOMER_MCP_TEST_REDIS_URL || "redis://127.0.0.1:6379";

/** The URL as messages may show it: without a password. */
export function shownRedisUrl(url = TEST_REDIS_URL): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}

/** Deletes every key under `prefix`: SCAN in pages until the cursor comes back to 0. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    if (keys.length) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  return deleted;
}

export interface RedisFixture {
  /** This file's key prefix. */
  readonly prefix: string;
  /** A new client (closed after the file), with its own captured logs. */
  connect(url?: string, tuning?: Partial<RedisTuning>): Promise<{ redis: Redis; logs: CapturedLogs }>;
}

/** Clients for one test file under one prefix; after the file, its keys are deleted and its clients closed. */
export function useRedis(): RedisFixture {
  const prefix = `cmcp-test:${randomUUID()}:`;
  const clients: Redis[] = [];
  afterAll(async () => {
    const admin = await connectRedis(TEST_REDIS_URL, captureLogs().logger);
    try {
      await deleteKeys(admin, prefix);
    } finally {
      admin.disconnect();
      for (const client of clients) client.disconnect();
    }
  });
  return {
    prefix,
    async connect(url = TEST_REDIS_URL, tuning = {}) {
      const logs = captureLogs();
      const redis = await connectRedis(url, logs.logger, tuning);
      clients.push(redis);
      return { redis, logs };
    },
  };
}
