/**
 * Capacity providers through @aws-sdk/client-ecs: CreateCapacityProvider (Auto Scaling group
 * providers, with ECS's defaults filled in), DescribeCapacityProviders (by name, all, TAGS, paged,
 * FARGATE and FARGATE_SPOT predefined), UpdateCapacityProvider, DeleteCapacityProvider (refused,
 * as ECS refuses, while a cluster has the provider), PutClusterCapacityProviders with a default
 * strategy, which DescribeClusters shows.
 */
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DeleteCapacityProviderCommand,
  DeleteClusterCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  ListTagsForResourceCommand,
  PutClusterCapacityProvidersCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateCapacityProviderCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliPresent, awsEcs } from "../support/awsCli.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { failure } from "../support/failure.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

const ARN = "arn:aws:ecs:us-east-1:000000000000";
const groupArn = (name: string) =>
  `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:0a1b2c3d-0000-0000-0000-000000000000:autoScalingGroupName/${name}`;

const create = (name: string, group = `${name}-asg`, extra: object = {}) =>
  berth.ecs.send(
    new CreateCapacityProviderCommand({
      name,
      autoScalingGroupProvider: { autoScalingGroupArn: groupArn(group), ...extra },
    }),
  );
const describeProviders = (input: ConstructorParameters<typeof DescribeCapacityProvidersCommand>[0] = {}) =>
  berth.ecs.send(new DescribeCapacityProvidersCommand(input));

describe("capacity providers", () => {
  it("creates an Auto Scaling group provider with ECS's defaults, and describes it with its tags on request", async () => {
    const { capacityProvider } = await berth.ecs.send(
      new CreateCapacityProviderCommand({
        name: "web",
        autoScalingGroupProvider: {
          autoScalingGroupArn: groupArn("web-asg"),
          managedScaling: { status: "ENABLED", targetCapacity: 80 },
          managedTerminationProtection: "ENABLED",
        },
        tags: [{ key: "team", value: "a" }],
      }),
    );
    const expected = {
      capacityProviderArn: `${ARN}:capacity-provider/web`,
      name: "web",
      status: "ACTIVE",
      autoScalingGroupProvider: {
        autoScalingGroupArn: groupArn("web-asg"),
        managedScaling: {
          status: "ENABLED",
          targetCapacity: 80,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: 10000,
          instanceWarmupPeriod: 300,
        },
        managedTerminationProtection: "ENABLED",
        managedDraining: "ENABLED",
      },
    };
    expect(capacityProvider).toEqual({ ...expected, tags: [{ key: "team", value: "a" }] });
    const plain = await describeProviders({ capacityProviders: ["web"] });
    expect(plain.capacityProviders).toEqual([expected]);
    const tagged = await describeProviders({ capacityProviders: [`${ARN}:capacity-provider/web`], include: ["TAGS"] });
    expect(tagged.capacityProviders?.[0].tags).toEqual([{ key: "team", value: "a" }]);
    // Tagged and untagged by ARN, as Terraform's aws_ecs_capacity_provider does.
    const resourceArn = `${ARN}:capacity-provider/web`;
    await berth.ecs.send(new TagResourceCommand({ resourceArn, tags: [{ key: "env", value: "prod" }] }));
    await berth.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys: ["team"] }));
    expect((await berth.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags).toEqual([
      { key: "env", value: "prod" },
    ]);
  });

  it("refuses a taken name, a group another provider has, a reserved prefix, and termination protection without managed scaling", async () => {
    await create("dup");
    expect(await failure(create("dup", "other-asg"))).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/^The specified capacity provider already exists\./),
    });
    expect(await failure(create("dup2", "dup-asg"))).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/^The specified Auto Scaling group ARN is already being used/),
    });
    expect(await failure(create("ecs-mine"))).toMatchObject({ name: "InvalidParameterException" });
    expect(await failure(create("fargate"))).toMatchObject({ name: "InvalidParameterException" });
    expect(await failure(create("guarded", "guarded-asg", { managedTerminationProtection: "ENABLED" }))).toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringContaining("managed scaling must also be enabled"),
    });
    expect(
      await failure(
        create("steps", "steps-asg", { managedScaling: { minimumScalingStepSize: 5, maximumScalingStepSize: 2 } }),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    // Managed scaling's numbers within the API's bounds, and a group named, as ECS checks them.
    for (const [field, value, limit] of [
      ["targetCapacity", 0, "greater than or equal to 1"],
      ["targetCapacity", 101, "less than or equal to 100"],
      ["minimumScalingStepSize", 0, "greater than or equal to 1"],
      ["maximumScalingStepSize", 10_001, "less than or equal to 10000"],
      ["instanceWarmupPeriod", -1, "greater than or equal to 0"],
      ["instanceWarmupPeriod", 10_001, "less than or equal to 10000"],
    ] as const) {
      expect(await failure(create("bounded", "bounded-asg", { managedScaling: { [field]: value } }))).toMatchObject({
        name: "InvalidParameterException",
        message: `1 validation error detected: Value '${value}' at 'autoScalingGroupProvider.managedScaling.${field}' failed to satisfy constraint: Member must have value ${limit}`,
      });
    }
    await create("bounded-update");
    expect(
      await failure(
        berth.ecs.send(
          new UpdateCapacityProviderCommand({
            name: "bounded-update",
            autoScalingGroupProvider: { managedScaling: { targetCapacity: 101 } },
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    expect(
      await failure(
        berth.ecs.send(new CreateCapacityProviderCommand({ name: "groupless", autoScalingGroupProvider: {} as never })),
      ),
    ).toMatchObject({
      name: "InvalidParameterException",
      message:
        "1 validation error detected: Value null at 'autoScalingGroupProvider.autoScalingGroupArn' failed to satisfy constraint: Member must not be null",
    });
    expect((await describeProviders({ capacityProviders: ["bounded", "groupless"] })).failures).toHaveLength(2);
    expect((await describeProviders({ capacityProviders: ["guarded", "steps"] })).failures).toEqual([
      { arn: `${ARN}:capacity-provider/guarded`, reason: "MISSING" },
      { arn: `${ARN}:capacity-provider/steps`, reason: "MISSING" },
    ]);
  });

  it("describes every provider, FARGATE and FARGATE_SPOT among them, in pages", async () => {
    await create("page-a");
    await create("page-b");
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await describeProviders({ maxResults: 2, nextToken });
      expect(page.capacityProviders?.length).toBeLessThanOrEqual(2);
      names.push(...(page.capacityProviders ?? []).map((p) => p.name as string));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(expect.arrayContaining(["FARGATE", "FARGATE_SPOT", "page-a", "page-b"]));
    expect(names).toEqual([...names].sort());
    expect(await failure(describeProviders({ maxResults: 11 }))).toMatchObject({ name: "InvalidParameterException" });
    const [fargate] = (await describeProviders({ capacityProviders: ["FARGATE"] })).capacityProviders ?? [];
    expect(fargate).toEqual({
      capacityProviderArn: `${ARN}:capacity-provider/FARGATE`,
      name: "FARGATE",
      status: "ACTIVE",
    });
  });

  it("updates managed scaling, termination protection and draining, keeping what is not given", async () => {
    await create("upd", "upd-asg", {
      managedScaling: { status: "ENABLED", targetCapacity: 90, instanceWarmupPeriod: 60 },
    });
    const { capacityProvider } = await berth.ecs.send(
      new UpdateCapacityProviderCommand({
        name: "upd",
        autoScalingGroupProvider: { managedScaling: { targetCapacity: 50 }, managedDraining: "DISABLED" },
      }),
    );
    expect(capacityProvider?.updateStatus).toBe("UPDATE_COMPLETE");
    expect(capacityProvider?.autoScalingGroupProvider).toEqual({
      autoScalingGroupArn: groupArn("upd-asg"),
      managedScaling: {
        status: "ENABLED",
        targetCapacity: 50,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 10000,
        instanceWarmupPeriod: 60,
      },
      managedTerminationProtection: "DISABLED",
      managedDraining: "DISABLED",
    });
    expect(
      await failure(berth.ecs.send(new UpdateCapacityProviderCommand({ name: "nope", autoScalingGroupProvider: {} }))),
    ).toMatchObject({ name: "ClientException" });
  });

  it("associates providers and a default strategy with a cluster, which DescribeClusters shows", async () => {
    await create("assoc");
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "cp" }));
    const { cluster } = await berth.ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: "cp",
        capacityProviders: ["assoc", "FARGATE"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "assoc", weight: 1, base: 1 }],
      }),
    );
    expect(cluster).toMatchObject({
      capacityProviders: ["assoc", "FARGATE"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "assoc", weight: 1, base: 1 }],
    });
    const described = await berth.ecs.send(new DescribeClustersCommand({ clusters: ["cp"] }));
    expect(described.clusters?.[0]).toMatchObject({
      capacityProviders: ["assoc", "FARGATE"],
      defaultCapacityProviderStrategy: [{ capacityProvider: "assoc", weight: 1, base: 1 }],
    });
    const onCluster = await describeProviders({ cluster: "cp" });
    expect(onCluster.capacityProviders?.map((p) => p.name)).toEqual(["FARGATE", "assoc"]);

    // A strategy naming a provider the cluster lacks, mixing Fargate with a group, or two bases.
    const put = (
      strategy: { capacityProvider: string; weight?: number; base?: number }[],
      providers = ["assoc", "FARGATE"],
    ) =>
      berth.ecs.send(
        new PutClusterCapacityProvidersCommand({
          cluster: "cp",
          capacityProviders: providers,
          defaultCapacityProviderStrategy: strategy,
        }),
      );
    for (const strategy of [
      [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      [
        { capacityProvider: "assoc", weight: 1 },
        { capacityProvider: "FARGATE", weight: 1 },
      ],
    ]) {
      expect(await failure(put(strategy))).toMatchObject({ name: "InvalidParameterException" });
    }
    expect(await failure(put([], ["missing"]))).toMatchObject({
      name: "InvalidParameterException",
      message: expect.stringContaining("'missing'"),
    });
    // One cluster per Auto Scaling group provider.
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "cp2" }));
    expect(
      await failure(
        berth.ecs.send(
          new PutClusterCapacityProvidersCommand({
            cluster: "cp2",
            capacityProviders: ["assoc"],
            defaultCapacityProviderStrategy: [],
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterException" });
    expect(
      await failure(
        berth.ecs.send(
          new PutClusterCapacityProvidersCommand({
            cluster: "nope",
            capacityProviders: [],
            defaultCapacityProviderStrategy: [],
          }),
        ),
      ),
    ).toMatchObject({ name: "ClusterNotFoundException" });
  });

  it("refuses to delete a provider a cluster has, as ECS does (DELETE_FAILED), and deletes it once the cluster lets it go", async () => {
    await create("gone");
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "holder", capacityProviders: ["gone"] }));
    const refused = await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "gone" }));
    expect(refused.capacityProvider).toMatchObject({
      status: "ACTIVE",
      updateStatus: "DELETE_FAILED",
      updateStatusReason:
        "The capacity provider cannot be deleted because it is associated with cluster: holder. Remove the capacity provider from the cluster and try again.",
    });
    expect((await describeProviders({ capacityProviders: ["gone"] })).capacityProviders?.[0].updateStatus).toBe(
      "DELETE_FAILED",
    );
    await berth.ecs.send(new DeleteClusterCommand({ cluster: "holder" }));
    const deleted = await berth.ecs.send(
      new DeleteCapacityProviderCommand({ capacityProvider: `${ARN}:capacity-provider/gone` }),
    );
    expect(deleted.capacityProvider).toMatchObject({ status: "INACTIVE", updateStatus: "DELETE_COMPLETE" });
    expect((await describeProviders({ capacityProviders: ["gone"] })).capacityProviders?.[0].status).toBe("INACTIVE");
    expect((await describeProviders()).capacityProviders?.map((p) => p.name)).not.toContain("gone");
    expect(
      await failure(berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "gone" }))),
    ).toMatchObject({
      name: "ClientException",
    });
    expect(
      await failure(berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "FARGATE" }))),
    ).toMatchObject({
      name: "InvalidParameterException",
    });
    // The name, and the group, can be taken again.
    expect((await create("gone")).capacityProvider?.status).toBe("ACTIVE");
  });

  it("works with the AWS CLI's shorthand", { skip: !awsCliPresent() }, async () => {
    const target = { url: berth.url, ...berth.credentials, region: "us-east-1" };
    const cli = async (...args: string[]) => JSON.parse(await awsEcs(target, [...args, "--output", "json"]));
    const created = await cli(
      "create-capacity-provider",
      "--name",
      "cli",
      "--auto-scaling-group-provider",
      `autoScalingGroupArn=${groupArn("cli-asg")},managedScaling={status=ENABLED,targetCapacity=90,maximumScalingStepSize=2},managedTerminationProtection=ENABLED`,
    );
    expect(created.capacityProvider.autoScalingGroupProvider.managedScaling).toEqual({
      status: "ENABLED",
      targetCapacity: 90,
      minimumScalingStepSize: 1,
      maximumScalingStepSize: 2,
      instanceWarmupPeriod: 300,
    });
    await cli("create-cluster", "--cluster-name", "cli");
    const put = await cli(
      "put-cluster-capacity-providers",
      "--cluster",
      "cli",
      "--capacity-providers",
      "cli",
      "--default-capacity-provider-strategy",
      "capacityProvider=cli,weight=1,base=0",
    );
    expect(put.cluster.defaultCapacityProviderStrategy).toEqual([{ capacityProvider: "cli", weight: 1, base: 0 }]);
    const described = await cli("describe-capacity-providers", "--capacity-providers", "cli");
    expect(described.capacityProviders.map((p: { name: string }) => p.name)).toEqual(["cli"]);
  });
});

/** The cluster names whose provider list has `provider`, among `clusters`. */
const holders = async (clusters: string[], provider: string) =>
  ((await berth.ecs.send(new DescribeClustersCommand({ clusters }))).clusters ?? [])
    .filter((c) => c.capacityProviders?.includes(provider))
    .map((c) => c.clusterName);

describe("a capacity provider's cluster", () => {
  it("goes to one of two clusters that ask for the provider at once; the other gets ECS's error", async () => {
    for (let round = 0; round < 5; round++) {
      const provider = `contested-${round}`;
      const clusters = [`bidder-${round}-a`, `bidder-${round}-b`];
      await create(provider);
      for (const clusterName of clusters) await berth.ecs.send(new CreateClusterCommand({ clusterName }));
      const answers = await Promise.allSettled(
        clusters.map((cluster) =>
          berth.ecs.send(
            new PutClusterCapacityProvidersCommand({
              cluster,
              capacityProviders: [provider],
              defaultCapacityProviderStrategy: [],
            }),
          ),
        ),
      );
      const won = answers.findIndex((a) => a.status === "fulfilled");
      expect(answers.filter((a) => a.status === "fulfilled")).toHaveLength(1);
      const lost = answers.find((a) => a.status === "rejected") as PromiseRejectedResult;
      expect(lost.reason).toMatchObject({
        name: "InvalidParameterException",
        message: `The specified capacity provider '${provider}' is already associated with cluster ${clusters[won]}. A capacity provider that uses an Auto Scaling group can be associated with one cluster only.`,
      });
      expect(await holders(clusters, provider)).toEqual([clusters[won]]);
      const refused = await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: provider }));
      expect(refused.capacityProvider?.updateStatusReason).toContain(`associated with cluster: ${clusters[won]}.`);
    }
  });

  it("is free from the call that takes it from its cluster: another may take it, and it deletes right after", async () => {
    await create("handed");
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "giver", capacityProviders: ["handed"] }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "taker" }));
    const put = (cluster: string, capacityProviders: string[]) =>
      berth.ecs.send(
        new PutClusterCapacityProvidersCommand({ cluster, capacityProviders, defaultCapacityProviderStrategy: [] }),
      );
    await put("giver", []);
    await put("taker", ["handed"]);
    expect(await holders(["giver", "taker"], "handed")).toEqual(["taker"]);
    // As Terraform's destroy does: the association goes, then the provider at once.
    await put("taker", []);
    const deleted = await berth.ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "handed" }));
    expect(deleted.capacityProvider).toMatchObject({ status: "INACTIVE", updateStatus: "DELETE_COMPLETE" });
  });
});
