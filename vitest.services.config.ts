import { defineConfig } from "vitest/config";

// `npm run test:services`: the suites that need a real service, today Redis (the shared state of several
// replicas). The global setup fails the run, saying how to get one, when Redis does not answer; the tests use
// CUSTOMER_MCP_TEST_REDIS_URL when it is set. `npm test` leaves tests/services/ out. The replica tests spawn the
// built server, so dist/ is built first, as for test:e2e.
export default defineConfig({
  test: {
    include: ["tests/services/**/*.test.ts"],
    // Redis first (fail fast, with how to get one), then the build the replica tests spawn.
    globalSetup: ["tests/services/global-setup.ts", "tests/helpers/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
