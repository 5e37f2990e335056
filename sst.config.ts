/// <reference path="./.sst/platform/config.d.ts" />

/**
 * Berth on AWS (SST v4): API Gateway → Lambda for the ECS API, SQS- and EventBridge-driven
 * Lambdas for scheduling, sweeps, events and deployments, DynamoDB for state, SSM for settings
 * and secrets, and an EC2 launch template for container instances. Each concern is a file of
 * infra/, imported inside run() as SST requires (its globals exist only then).
 */
export default $config({
  app(input) {
    // The stages of infra/stage.ts (not importable here): production data is retained.
    const production = ["prod", "production"].includes(input?.stage ?? "");
    return {
      name: "berth",
      home: "aws",
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const { table } = await import("./infra/table.ts");
    const { schedulerQueue } = await import("./infra/scheduler.ts");
    const { api } = await import("./infra/api.ts");
    const { consoleUrl } = await import("./infra/console.ts");
    await import("./infra/sweeper.ts");
    const { bus } = await import("./infra/bus.ts");
    await import("./infra/events.ts");
    await import("./infra/deploy.ts");
    const { launchTemplate } = await import("./infra/agentHosts.ts");
    return {
      api: api.url,
      console: consoleUrl,
      table: table.name,
      schedulerQueue: schedulerQueue.url,
      bus: bus.name,
      launchTemplateId: launchTemplate.id,
    };
  },
});
