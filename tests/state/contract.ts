// The contract every implementation of the state stores keeps (src/state/stores.ts): one suite per interface,
// run here against the in-memory stores (memory.test.ts) and, with remote mode, against Redis. Each factory gets
// a clock the suite moves; an implementation whose time cannot be injected may ignore it, and the suites then
// only wait what the TTLs say (they are short).
import { describe, expect, it } from "vitest";
import type { DocumentStore, IdempotencyStore, RateLimitStore } from "../../src/state/stores.js";

export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = 1_000_000): TestClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

type Factory<S> = (clock: TestClock) => S | Promise<S>;

/** A name unique to one run, so suites sharing a real store never see each other's entries. */
function unique(name: string): string {
  return `${name}:${Math.random().toString(36).slice(2)}`;
}

export function idempotencyStoreContract(label: string, make: Factory<IdempotencyStore>): void {
  describe(`IdempotencyStore: ${label}`, () => {
    it("gives every claim for an identity the first key, within the TTL", async () => {
      const clock = testClock();
      const store = await make(clock);
      const identity = unique("claim");
      expect(await store.claim(identity, "key-1", 60_000)).toBe("key-1");
      clock.advance(30_000);
      expect(await store.claim(identity, "key-2", 60_000)).toBe("key-1");
    });

    it("lets a new key be claimed once the TTL has passed", async () => {
      const clock = testClock();
      const store = await make(clock);
      const identity = unique("expiry");
      await store.claim(identity, "key-1", 1_000);
      clock.advance(1_500);
      expect(await store.claim(identity, "key-2", 1_000)).toBe("key-2");
    });

    it("keeps identities apart", async () => {
      const store = await make(testClock());
      expect(await store.claim(unique("a"), "key-a", 60_000)).toBe("key-a");
      expect(await store.claim(unique("b"), "key-b", 60_000)).toBe("key-b");
    });

    it("gives concurrent claims for one identity one key", async () => {
      const store = await make(testClock());
      const identity = unique("race");
      const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim(identity, `key-${i}`, 60_000)));
      expect(new Set(keys).size).toBe(1);
    });

    it("remembers which keys were seen done, and only those", async () => {
      const store = await make(testClock());
      const done = unique("done");
      expect(await store.wasDone(done)).toBe(false);
      await store.markDone(done);
      expect(await store.wasDone(done)).toBe(true);
      expect(await store.wasDone(unique("other"))).toBe(false);
    });
  });
}

export function rateLimitStoreContract(label: string, make: Factory<RateLimitStore>): void {
  describe(`RateLimitStore: ${label}`, () => {
    it("starts a bucket full, refuses the call over it with the time until the next token", async () => {
      const store = await make(testClock());
      const bucket = unique("full");
      for (let i = 0; i < 6; i++) expect((await store.take(bucket, 6)).ok, `call ${i + 1}`).toBe(true);
      const refused = await store.take(bucket, 6);
      expect(refused.ok).toBe(false);
      // 6 a minute: a token every 10 s.
      expect(refused.retryAfterMs).toBeGreaterThan(9_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(10_000);
    });

    it("refills continuously", async () => {
      const clock = testClock();
      const store = await make(clock);
      const bucket = unique("refill");
      for (let i = 0; i < 6; i++) await store.take(bucket, 6);
      clock.advance(10_000);
      expect((await store.take(bucket, 6)).ok).toBe(true);
      expect((await store.take(bucket, 6)).ok).toBe(false);
    });

    it("keeps buckets apart: one caller's empty bucket does not touch another's", async () => {
      const store = await make(testClock());
      const [mine, theirs] = [unique("mine"), unique("theirs")];
      for (let i = 0; i < 3; i++) await store.take(mine, 3);
      expect((await store.take(mine, 3)).ok).toBe(false);
      expect((await store.take(theirs, 3)).ok).toBe(true);
    });

    it("lets exactly as many concurrent calls through as there are tokens", async () => {
      const store = await make(testClock());
      const bucket = unique("race");
      const decisions = await Promise.all(Array.from({ length: 20 }, () => store.take(bucket, 5)));
      expect(decisions.filter((decision) => decision.ok)).toHaveLength(5);
    });
  });
}

interface Counter {
  count: number;
}

export function documentStoreContract(label: string, make: Factory<DocumentStore>): void {
  describe(`DocumentStore: ${label}`, () => {
    const increment = (doc: Counter | undefined) => {
      const next = { count: (doc?.count ?? 0) + 1 };
      return { doc: next, result: next.count };
    };

    it("creates, changes and deletes a document, returning each change's result", async () => {
      const store = await make(testClock());
      const key = unique("doc");
      expect(await store.update<Counter, number>(key, 60_000, increment)).toBe(1);
      expect(await store.update<Counter, number>(key, 60_000, increment)).toBe(2);
      const remove = (doc: Counter | undefined) => ({ doc: undefined, result: doc !== undefined });
      expect(await store.update<Counter, boolean>(key, 60_000, remove)).toBe(true);
      expect(await store.update<Counter, number>(key, 60_000, increment)).toBe(1);
    });

    it("forgets a document after its TTL", async () => {
      const clock = testClock();
      const store = await make(clock);
      const key = unique("ttl");
      await store.update<Counter, number>(key, 1_000, increment);
      clock.advance(1_500);
      expect(await store.update<Counter, number>(key, 1_000, increment)).toBe(1);
    });

    it("never interleaves changes to one key", async () => {
      const store = await make(testClock());
      const key = unique("race");
      await Promise.all(Array.from({ length: 50 }, () => store.update<Counter, number>(key, 60_000, increment)));
      expect(await store.update<Counter, number>(key, 60_000, increment)).toBe(51);
    });

    it("keeps the document as it was when a change throws, and rethrows", async () => {
      const store = await make(testClock());
      const key = unique("throw");
      await store.update<Counter, number>(key, 60_000, increment);
      await expect(store.update<Counter, number>(key, 60_000, () => {
        throw new Error("limit exceeded");
      })).rejects.toThrow("limit exceeded");
      expect(await store.update<Counter, number>(key, 60_000, increment)).toBe(2);
    });

    it("keeps documents apart", async () => {
      const store = await make(testClock());
      await store.update<Counter, number>(unique("a"), 60_000, increment);
      expect(await store.update<Counter, number>(unique("b"), 60_000, increment)).toBe(1);
    });
  });
}
