// The parts of the Redis stores that need no Redis: how caller keys become Redis keys (any string, one key each),
// and the reconnection backoff. The stores themselves run against a real Redis in tests/services/.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { reconnectDelay } from "../../src/state/redis-client.js";
import { redisKey } from "../../src/state/redis-keys.js";

/** The bytes Redis receives for a key: ioredis sends strings as UTF-8. */
const bytes = (key: string) => Buffer.from(key, "utf8").toString("hex");

describe("redisKey", () => {
  it("gives two different caller keys two different Redis keys, whatever characters they hold", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        fc.pre(a !== b);
        expect(bytes(redisKey("p:", "doc", a))).not.toBe(bytes(redisKey("p:", "doc", b)));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps keys UTF-8 can carry readable, and apart from the encoded ones and from other kinds", () => {
    expect(redisKey("cmcp:", "rate", "alice\u0000tool:get_customer")).toBe("cmcp:rate=alice\u0000tool:get_customer");
    // Two lone surrogates would both reach Redis as U+FFFD.
    expect(bytes(redisKey("cmcp:", "claim", "\uD800"))).not.toBe(bytes(redisKey("cmcp:", "claim", "\uD801")));
    expect(redisKey("cmcp:", "claim", "\uD800")).toBe("cmcp:claim#00d8");
    expect(redisKey("cmcp:", "claim", "#00d8")).not.toBe(redisKey("cmcp:", "claim", "\uD800"));
    expect(redisKey("cmcp:", "doc", "x")).not.toBe(redisKey("cmcp:", "done", "x"));
  });
});

describe("reconnectDelay", () => {
  it("doubles from 50 ms up to the cap, with jitter in the upper half", () => {
    expect([1, 2, 3, 4].map((attempt) => reconnectDelay(attempt, 2_000, () => 1))).toEqual([50, 100, 200, 400]);
    expect(reconnectDelay(1, 2_000, () => 0)).toBe(25);
    expect(reconnectDelay(30, 2_000, () => 1)).toBe(2_000);
    expect(reconnectDelay(1_000, 2_000, () => 0)).toBe(1_000);
  });
});
