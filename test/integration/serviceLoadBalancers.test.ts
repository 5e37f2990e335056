import { CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  type CreateServiceCommandInput,
  DescribeServicesCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, motoMissing, startMoto } from "../cloud/standIns/moto.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

/**
 * Services with loadBalancers, through the ECS SDK against the in-process server, with moto's
 * server as the ELBv2 API (BERTH_ELBV2_ENDPOINT in local mode). The tests play the agent, as
 * services.test.ts does, reporting the host ports Docker would have bound (networkBindings).
 */
const missing = motoMissing();
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
let moto: Moto;
let berth: TestBerth;
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let vpcId: string;

beforeAll(async () => {
  if (missing) return;
  moto = await startMoto("000000000000");
  berth = await startBerth(undefined, {
    scheduler: { sweepSeconds: 1, startBackoffSeconds: 0 },
    elbv2: { endpoint: moto.endpoint, credentials },
  });
  ecs = berth.ecs;
  elb = new ElasticLoadBalancingV2Client({ endpoint: moto.endpoint, region: "us-east-1", credentials });
  const ec2 = new EC2Client({ endpoint: moto.endpoint, region: "us-east-1", credentials });
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc?.VpcId as string;
  ec2.destroy();
}, 60_000);
afterAll(async () => {
  elb?.destroy();
  await berth?.stop();
  await moto?.stop();
});

async function targetGroup(name: string, targetType: "instance" | "ip" = "instance") {
  const { TargetGroups } = await elb.send(
    new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: targetType }),
  );
  return TargetGroups?.[0].TargetGroupArn as string;
}

/** A cluster and a task family of its name whose container `web` maps container port 80 to host port 8080. */
async function cluster(name: string) {
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [
        { name: "web", image: "busybox", memory: 64, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
      ],
    }),
  );
}

const createService = (input: Partial<CreateServiceCommandInput> & { cluster: string }) =>
  ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: input.cluster, desiredCount: 1, ...input }));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error) => ({ name: error.name, message: error.message }),
  );

describe.skipIf(missing)("loadBalancers on CreateService and UpdateService", () => {
  it("are kept as given and described back", async () => {
    await cluster("lb1");
    const a = await targetGroup("lb1-a");
    const b = await targetGroup("lb1-b");
    const loadBalancers = [
      { targetGroupArn: a, containerName: "web", containerPort: 80 },
      { targetGroupArn: b, containerName: "web", containerPort: 80 },
    ];
    const { service } = await createService({ cluster: "lb1", loadBalancers });
    expect(service?.loadBalancers).toEqual(loadBalancers);
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster: "lb1", services: ["web"] }));
    expect(services?.[0].loadBalancers).toEqual(loadBalancers);

    // Changing them is a new deployment, as on ECS; the same ones again are not.
    const same = await ecs.send(new UpdateServiceCommand({ cluster: "lb1", service: "web", loadBalancers }));
    expect(same.service?.deployments).toHaveLength(1);
    const fewer = await ecs.send(
      new UpdateServiceCommand({ cluster: "lb1", service: "web", loadBalancers: loadBalancers.slice(0, 1) }),
    );
    expect(fewer.service?.loadBalancers).toEqual(loadBalancers.slice(0, 1));
    expect(fewer.service?.deployments).toHaveLength(2);
  });

  it("are refused, changing nothing, when they do not match the task definition or ELBv2", async () => {
    await cluster("lb2");
    const arn = await targetGroup("lb2-a");
    const ip = await targetGroup("lb2-ip", "ip");
    const lb = { targetGroupArn: arn, containerName: "web", containerPort: 80 };
    const cases: [object, string][] = [
      [{ ...lb, containerName: "api" }, "The container api does not exist in the task definition."],
      [{ ...lb, containerPort: 81 }, "The container web did not have a container port 81 defined."],
      [
        { ...lb, targetGroupArn: `${arn.slice(0, -4)}0000` },
        `Unable to find the target group ${arn.slice(0, -4)}0000.`,
      ],
      [
        { ...lb, targetGroupArn: ip },
        `The provided target group ${ip} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`,
      ],
      [
        { loadBalancerName: "classic", containerName: "web", containerPort: 80 },
        "Classic Load Balancers are not supported by Berth: give a targetGroupArn instead.",
      ],
    ];
    for (const [given, message] of cases) {
      expect(await refusal(createService({ cluster: "lb2", loadBalancers: [given] }))).toEqual({
        name: "InvalidParameterException",
        message,
      });
    }
    const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster: "lb2", services: ["web"] }));
    expect(services).toEqual([]);
    expect(failures?.[0].reason).toBe("MISSING");

    // On UpdateService too; the service keeps what it had.
    await createService({ cluster: "lb2", loadBalancers: [lb] });
    const bad = await refusal(
      ecs.send(
        new UpdateServiceCommand({ cluster: "lb2", service: "web", loadBalancers: [{ ...lb, containerPort: 81 }] }),
      ),
    );
    expect(bad?.message).toBe("The container web did not have a container port 81 defined.");
    // A new revision without the container the load balancer names is refused as well.
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "lb2",
        containerDefinitions: [{ name: "other", image: "busybox", memory: 64 }],
      }),
    );
    const revision = await refusal(
      ecs.send(new UpdateServiceCommand({ cluster: "lb2", service: "web", taskDefinition: "lb2:2" })),
    );
    expect(revision?.message).toBe("The container web does not exist in the task definition.");
    const { services: after } = await ecs.send(new DescribeServicesCommand({ cluster: "lb2", services: ["web"] }));
    expect(after?.[0]).toMatchObject({ loadBalancers: [lb], taskDefinition: expect.stringMatching(/lb2:1$/) });
    expect(after?.[0].deployments).toHaveLength(1);
  });
});

describe("loadBalancers without an ELBv2 endpoint", () => {
  it("are refused, saying how to configure one", async () => {
    const plain = await startBerth();
    try {
      await plain.ecs.send(new CreateClusterCommand({ clusterName: "lb0" }));
      await plain.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "lb0",
          containerDefinitions: [{ name: "web", image: "busybox", memory: 64, portMappings: [{ containerPort: 80 }] }],
        }),
      );
      const error = await refusal(
        plain.ecs.send(
          new CreateServiceCommand({
            cluster: "lb0",
            serviceName: "web",
            taskDefinition: "lb0",
            desiredCount: 1,
            loadBalancers: [
              {
                targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/0123456789abcdef",
                containerName: "web",
                containerPort: 80,
              },
            ],
          }),
        ),
      );
      expect(error?.name).toBe("InvalidParameterException");
      expect(error?.message).toContain("BERTH_ELBV2_ENDPOINT");
    } finally {
      await plain.stop();
    }
  });
});
