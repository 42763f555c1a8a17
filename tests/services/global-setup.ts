// Before the service suites: Redis must answer, or the run fails here with how to get one. Never a silent skip:
// a suite that did not run would read as a suite that passed.
import { Redis } from "ioredis";
import { shownRedisUrl, TEST_REDIS_URL } from "./redis.js";

const HOW_TO_GET_ONE = [
  "npm run test:services needs a Redis it may write to (each run uses its own key prefix and deletes it after).",
  "Start one on this machine without persistence:",
  "  sudo apt-get install redis-server   (or: brew install redis; or: docker run --rm -p 6379:6379 redis:7)",
  '  redis-server --port 6379 --save "" --appendonly no',
  "or point the tests at another with CUSTOMER_MCP_TEST_REDIS_URL=redis://host:port.",
].join("\n");

export default async function setup(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: () => null,
  });
  // connect() rejects with only "Connection is closed"; the error event says why (ECONNREFUSED, NOAUTH…).
  let connectionError: unknown;
  redis.on("error", (error) => {
    connectionError ??= error;
  });
  try {
    await redis.connect();
    const answer = await redis.ping();
    if (answer !== "PONG") throw new Error(`PING answered ${answer}`);
  } catch (error) {
    const why = connectionError ?? error;
    const reason = why instanceof Error ? why.message : String(why);
    throw new Error(`No Redis answers at ${shownRedisUrl()} (${reason}).\n${HOW_TO_GET_ONE}`, { cause: error });
  } finally {
    redis.disconnect();
  }
}
