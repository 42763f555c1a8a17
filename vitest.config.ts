import { defineConfig } from "vitest/config";

// `npm test`: unit and in-memory suites, from source; no build, no spawned processes. The end-to-end suites
// (spawned dist/, package, bundle, soak) are in vitest.e2e.config.ts (`npm run test:e2e`), the suites that need
// Redis in vitest.services.config.ts (`npm run test:services`).
// Worker threads without per-file isolation: the code keeps no module-level state (every server is built from its
// own context), so files can share a worker's loaded modules; that takes about a third off the run.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["tests/e2e/**", "tests/services/**", "node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "threads",
    isolate: false,
    // Every core: the default leaves one free, which on a 2-core machine runs the files one at a time (55 s
    // against 25 s here). Test files share nothing but the machine: each starts its own sandbox and servers.
    maxWorkers: "100%",
  },
});
