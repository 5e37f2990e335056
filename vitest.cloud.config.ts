import { defineConfig } from "vitest/config";

/**
 * `npm run test:cloud`: Berth as deployed on AWS, run on this machine (test/cloud/, see
 * docs/cloud-test.md): each function's bundle under the Lambda Runtime Interface Client, fed by
 * the event sources of the deployed graph, against DynamoDB Local and moto's server. Its own run,
 * not part of `npm test`: it starts many processes and takes minutes.
 */
export default defineConfig({
  test: {
    name: "cloud",
    include: ["test/cloud/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One suite at a time: each stands up a whole deployment on a small machine.
    fileParallelism: false,
  },
});
