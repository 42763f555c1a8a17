import { defineConfig } from "vitest/config";

// `npm run test:e2e`: the built server as users run it. The global setup builds dist/ once first.
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
