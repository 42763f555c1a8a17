// Preloaded into the soak's servers (`node --expose-gc --import <this file>`): on SIGUSR2 it runs a full garbage
// collection and appends one JSON line with the live heap to the file named by BENCH_HEAP_PROBE_FILE. That tells
// a leak (the live heap grows) from the collector's slack (RSS grows while the live heap does not).
import { appendFileSync } from "node:fs";
import process from "node:process";

const file = process.env.BENCH_HEAP_PROBE_FILE;
if (file && typeof globalThis.gc === "function") {
  process.on("SIGUSR2", () => {
    globalThis.gc();
    const { heapUsed, rss } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ heapUsed, rss })}\n`);
  });
}
