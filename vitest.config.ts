import { configDefaults, defineConfig } from "vitest/config";
import { dynamoDbLocalMissing } from "./test/support/dynamodbLocal.ts";

/**
 * Every suite that has a store in it, run once more on DynamoDB Local (BERTH_TEST_STORE=dynamodb:
 * servers get a table per data dir, suites that call actions or handlers directly a table each;
 * see test/support/testStore.ts): the integration suites, the end-to-end suites (the AWS CLI
 * walk-through, an agent's tasks and a service's deployments on Docker, EventBridge), and the
 * function handlers'. Left out: the restart suite (SQLite's file surviving a kill -9), the store
 * contract (it runs on both stores itself), and the suites with no store in them (unit, infra,
 * the agent engine's own Docker suite, bundles), and the web console's suites (a client of the
 * API whatever the store: a second browser run would test the same page twice).
 */
const ON_DYNAMODB = [
  "test/integration/*.test.ts",
  "test/e2e/*.test.ts",
  "test/faults/*.test.ts",
  "test/functions/{api,deploy,sweeper}.test.ts",
];
/** Suites about DynamoDB itself (its outage, its stream): the `dynamodb` project's alone. */
const ONLY_ON_DYNAMODB = ["test/faults/storeUnreachable.test.ts", "test/functions/eventsStream.test.ts"];
const NOT_ON_DYNAMODB = [
  "test/integration/restart.test.ts",
  "test/integration/console.test.ts",
  "test/e2e/console.test.ts",
  // Signing and the agent's clock, the queues: not the store.
  "test/faults/clockSkew.test.ts",
  "test/faults/queueOutage.test.ts",
  "test/faults/queueDown.test.ts",
  // SQLite's own lock.
  "test/faults/storeLocked.test.ts",
];

// Without Java the DynamoDB project is left out with the reason printed, except in CI, where
// its setup fails instead: a skip there would hide that it never ran.
const missing = dynamoDbLocalMissing();
if (missing && process.env.CI !== "true") console.warn(`Not running the API suites on DynamoDB Local: ${missing}.`);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // test/restart/ restarts the Docker daemon: its own run, after this one (vitest.restart.config.ts);
        // test/cloud/ stands up the deployed form: its own run too (vitest.cloud.config.ts, npm run test:cloud).
        test: {
          name: "main",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/restart/**", "test/cloud/**", ...ONLY_ON_DYNAMODB],
          // The two projects run one after the other: together, their timing-sensitive suites
          // (agents beating every second on one Docker engine) would load a 2-CPU machine twice over.
          sequence: { groupOrder: 0 },
        },
      },
      ...(missing && process.env.CI !== "true"
        ? []
        : [
            {
              extends: true,
              test: {
                name: "dynamodb",
                include: [...ON_DYNAMODB, ...ONLY_ON_DYNAMODB],
                exclude: [...configDefaults.exclude, ...NOT_ON_DYNAMODB],
                env: { BERTH_TEST_STORE: "dynamodb" },
                sequence: { groupOrder: 1 },
                globalSetup: ["test/support/dynamodbGlobalSetup.ts"],
              },
            },
          ]),
    ],
  },
});
