import { defineConfig } from "vitest/config";

// `npm run test:services`: the suites that need a real service, today Redis (the shared state of several
// replicas). The global setup fails the run, saying how to get one, when Redis does not answer; the tests use
// CUSTOMER_MCP_TEST_REDIS_URL when it is set. `npm test` leaves tests/services/ out.
export default defineConfig({
  test: {
    include: ["tests/services/**/*.test.ts"],
    globalSetup: ["tests/services/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
