import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateGraph } from "../infra/graph.ts";
import { type CloudDeployment, deployOffline } from "./deployment/deployment.ts";
import { motoMissing } from "./standIns/moto.ts";

/**
 * Berth as `sst deploy` would deploy it, stood up on this machine from the evaluated graph and
 * driven as its users drive it: through the HTTP API with the AWS CLI and the SDK, through
 * EventBridge, and by a host's agent. See docs/cloud-test.md.
 */
const missing = motoMissing();
if (missing) throw new Error(`npm run test:cloud needs moto's server: ${missing}.`);

/**
 * Deploy-time settings of this run (read by infra/ as `sst deploy` would read them): hosts here
 * are not EC2 instances, whose identity documents only AWS can sign; and a lost host is given up
 * on within seconds rather than minutes.
 */
const DEPLOY_ENV = {
  BERTH_EC2_IDENTITY_CHECK: "0",
  BERTH_AGENT_HEARTBEAT_SECONDS: "1",
  BERTH_LOST_INSTANCE_GRACE_SECONDS: "4",
};

let cloud: CloudDeployment;
let admin: { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  Object.assign(process.env, DEPLOY_ENV);
  const graph = await evaluateGraph("cloud");
  const [accessKeyId, secretAccessKey] = graph.secrets.BerthAdminKey.split(":");
  admin = { accessKeyId, secretAccessKey };
  cloud = await deployOffline(graph, { sqsRetryAfterSeconds: 1 });
}, 300_000);

afterAll(async () => {
  await cloud?.stop();
  for (const fn of cloud?.functions ?? []) {
    if (fn.errors.length > 0)
      console.error(`${fn.name}: ${fn.errors.length} error(s), the first: ${fn.errors[0].message}`);
  }
});

const ecs = () =>
  new ECSClient({ endpoint: cloud.apiUrl, region: cloud.partition.region, credentials: admin, maxAttempts: 1 });

describe("Berth deployed, on this machine", () => {
  it("answers health checks and ECS calls through the HTTP API", async () => {
    const health = await fetch(`${cloud.apiUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("ok\n");
    const unrouted = await fetch(`${cloud.apiUrl}/nowhere`);
    expect(unrouted.status).toBe(404);
    const { clusterArns } = await ecs().send(new ListClustersCommand({}));
    expect(clusterArns).toBeDefined();
  });
});
