import { defineConfig } from "vitest/config";

/**
 * The suites that restart the Docker daemon (test/restart/): disruptive to any other test using
 * Docker, so `npm test` runs them in a vitest run of their own, after the main one, one file at
 * a time. They only restart dockerd when BERTH_TEST_RESTART_DOCKERD=1 (set by .ci/run).
 */
export default defineConfig({
  test: {
    include: ["test/restart/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
