import { defineConfig } from "vitest/config";

// `npm test`: unit and in-memory suites, from source; no build, no spawned processes. The end-to-end suites
// (spawned dist/, package, bundle, soak) are in vitest.e2e.config.ts (`npm run test:e2e`).
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    exclude: ["tests/e2e/**", "node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
