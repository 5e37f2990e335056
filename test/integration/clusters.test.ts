import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListClustersCommand,
  UpdateClusterSettingsCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

describe("clusters", () => {
  it("creates a cluster with ECS's long ARN and is idempotent on the name", async () => {
    const first = await berth.ecs.send(
      new CreateClusterCommand({ clusterName: "web", tags: [{ key: "team", value: "a" }] }),
    );
    expect(first.cluster).toMatchObject({
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/web",
      clusterName: "web",
      status: "ACTIVE",
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
    });
    const again = await berth.ecs.send(new CreateClusterCommand({ clusterName: "web" }));
    expect(again.cluster?.clusterArn).toBe(first.cluster?.clusterArn);
  });

  it("creates the cluster named default when no name is given", async () => {
    const { cluster } = await berth.ecs.send(new CreateClusterCommand({}));
    expect(cluster?.clusterName).toBe("default");
  });

  it("rejects a cluster name ECS would reject", async () => {
    await expect(berth.ecs.send(new CreateClusterCommand({ clusterName: "no spaces" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });

  it("describes clusters with failures for missing ones and tags only when asked", async () => {
    const plain = await berth.ecs.send(new DescribeClustersCommand({ clusters: ["web", "nope"] }));
    expect(plain.clusters?.map((c) => c.clusterName)).toEqual(["web"]);
    expect(plain.clusters?.[0].tags).toEqual([]);
    expect(plain.failures).toEqual([{ arn: "arn:aws:ecs:us-east-1:000000000000:cluster/nope", reason: "MISSING" }]);
    const tagged = await berth.ecs.send(
      new DescribeClustersCommand({ clusters: ["web"], include: ["TAGS", "SETTINGS"] }),
    );
    expect(tagged.clusters?.[0].tags).toEqual([{ key: "team", value: "a" }]);
    expect(tagged.clusters?.[0].settings).toEqual([{ name: "containerInsights", value: "disabled" }]);
  });

  it("updates settings", async () => {
    const { cluster } = await berth.ecs.send(
      new UpdateClusterSettingsCommand({ cluster: "web", settings: [{ name: "containerInsights", value: "enabled" }] }),
    );
    expect(cluster?.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
  });

  it("pages through clusters with maxResults and nextToken", async () => {
    for (const name of ["p1", "p2", "p3"]) await berth.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await berth.ecs.send(new ListClustersCommand({ maxResults: 2, nextToken }));
      expect(page.clusterArns?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.clusterArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.map((arn) => arn.split("/")[1]).sort()).toEqual(["default", "p1", "p2", "p3", "web"]);
  });

  it("deletes a cluster: INACTIVE afterwards, gone from lists, unknown to later calls", async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "gone" }));
    const { cluster } = await berth.ecs.send(new DeleteClusterCommand({ cluster: "gone" }));
    expect(cluster?.status).toBe("INACTIVE");
    const { clusters } = await berth.ecs.send(new DescribeClustersCommand({ clusters: ["gone"] }));
    expect(clusters?.[0].status).toBe("INACTIVE");
    const { clusterArns } = await berth.ecs.send(new ListClustersCommand({}));
    expect(clusterArns).not.toContain(cluster?.clusterArn);
    await expect(berth.ecs.send(new DeleteClusterCommand({ cluster: "gone" }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
    });
  });
});
