// KeyedQueue: one task at a time per key, in order, failures kept to their own caller, and no key kept once idle.
import { describe, expect, it } from "vitest";
import { KeyedQueue } from "../../src/state/keyed-queue.js";

describe("KeyedQueue", () => {
  it("runs one key's tasks one at a time in order, other keys alongside, and forgets idle keys", async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run("a", async () => {
      events.push("a1 start");
      await gate;
      events.push("a1 end");
      return 1;
    });
    const second = queue.run("a", async () => {
      events.push("a2");
      return 2;
    });
    const other = queue.run("b", async () => {
      events.push("b1");
      return 3;
    });
    expect(await other).toBe(3);
    expect(events).toEqual(["a1 start", "b1"]);
    expect(queue.size).toBe(1);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(events).toEqual(["a1 start", "b1", "a1 end", "a2"]);
    expect(queue.size).toBe(0);
  });

  it("rejects only the task that failed; the next one still runs", async () => {
    const queue = new KeyedQueue();
    const failing = queue.run("a", async () => {
      throw new Error("this one");
    });
    const next = queue.run("a", async () => "ran");
    await expect(failing).rejects.toThrow("this one");
    expect(await next).toBe("ran");
  });
});
