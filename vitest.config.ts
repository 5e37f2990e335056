import { configDefaults, defineConfig } from "vitest/config";
import { dynamoDbLocalMissing } from "./test/support/dynamodbLocal.ts";

/**
 * The API integration suites, the AWS CLI walk-through and the end-to-end suites on Docker (an
 * agent's tasks, a service's deployments), run once more with the server on DynamoDB Local.
 * Left out: the protocol suite (no store in it), the restart suite (SQLite's file surviving a
 * kill -9) and the agent engine's own Docker suite (no control plane in it).
 */
const ON_DYNAMODB = [
  ...[
    "access",
    "attributes",
    "authorization",
    "clusters",
    "containerInstances",
    "heartbeats",
    "services",
    "tags",
    "taskDefinitions",
    "tasks",
  ].map((suite) => `test/integration/${suite}.test.ts`),
  "test/e2e/awscli.test.ts",
  "test/e2e/agent.test.ts",
  "test/e2e/services.test.ts",
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
        // test/restart/ restarts the Docker daemon: its own run, after this one (vitest.restart.config.ts).
        test: { name: "main", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, "test/restart/**"] },
      },
      ...(missing && process.env.CI !== "true"
        ? []
        : [
            {
              extends: true,
              test: {
                name: "dynamodb",
                include: ON_DYNAMODB,
                env: { BERTH_TEST_STORE: "dynamodb" },
                globalSetup: ["test/support/dynamodbGlobalSetup.ts"],
              },
            },
          ]),
    ],
  },
});
