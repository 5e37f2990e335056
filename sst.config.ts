/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Berth on AWS (SST v4). A placeholder until the serverless issue lands: the app is declared,
 * its resources (DynamoDB table, API, scheduler queue, sweeper, event bus, agent launch template)
 * will come from infra/, one file per concern. Nothing here deploys yet.
 */
export default $config({
  app(input) {
    return {
      name: "berth",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
    };
  },
  async run() {},
});
