import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListTagsForResourceCommand,
  RegisterContainerInstanceCommand,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskDefinitionRecord, TaskRecord } from "../../core/model/records.ts";
import { put } from "../../core/store/port.ts";
import { startBerth, type TestBerth } from "../support/berth.ts";

let berth: TestBerth;
const ARN = "arn:aws:ecs:us-east-1:000000000000";
const clusterArn = `${ARN}:cluster/tagged`;
const taskDefinitionArn = `${ARN}:task-definition/web:1`;
const taskArn = `${ARN}:task/tagged/0123456789abcdef0123456789abcdef`;
let instanceArn: string;

beforeAll(async () => {
  berth = await startBerth();
  await berth.ecs.send(new CreateClusterCommand({ clusterName: "tagged", tags: [{ key: "team", value: "a" }] }));
  const { containerInstance } = await berth.ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: "tagged",
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
      ],
      tags: [{ key: "role", value: "worker" }],
    }),
  );
  instanceArn = containerInstance?.containerInstanceArn as string;
  // A task definition and a task written straight to the store: their actions are other suites'.
  await berth.store.commit([
    put("taskDefinition", {
      family: "web",
      revision: 1,
      taskDefinition: { taskDefinitionArn, family: "web", revision: 1, status: "ACTIVE", containerDefinitions: [] },
      tags: [],
    } as unknown as TaskDefinitionRecord),
    put("task", {
      cluster: "tagged",
      id: "0123456789abcdef0123456789abcdef",
      task: { taskArn, taskDefinitionArn, lastStatus: "RUNNING", desiredStatus: "RUNNING", tags: [] },
      reservation: { cpu: 0, memory: 0, ports: [], udpPorts: [] },
      holdsReservation: false,
      essentialContainers: [],
      acknowledged: false,
    } as unknown as TaskRecord),
  ]);
});
afterAll(() => berth.stop());

const tagsOf = async (resourceArn: string) =>
  (await berth.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags;
const tag = (resourceArn: string, tags: Tag[]) => berth.ecs.send(new TagResourceCommand({ resourceArn, tags }));
const untag = (resourceArn: string, tagKeys: string[]) =>
  berth.ecs.send(new UntagResourceCommand({ resourceArn, tagKeys }));

describe("tags", () => {
  it("tags, lists and untags a cluster", async () => {
    expect(await tagsOf(clusterArn)).toEqual([{ key: "team", value: "a" }]);
    await tag(clusterArn, [
      { key: "team", value: "b" },
      { key: "env", value: "dev" },
    ]);
    expect(await tagsOf(clusterArn)).toEqual([
      { key: "team", value: "b" },
      { key: "env", value: "dev" },
    ]);
    await untag(clusterArn, ["team", "absent"]);
    expect(await tagsOf(clusterArn)).toEqual([{ key: "env", value: "dev" }]);
    const { clusters } = await berth.ecs.send(new DescribeClustersCommand({ clusters: ["tagged"], include: ["TAGS"] }));
    expect(clusters?.[0].tags).toEqual([{ key: "env", value: "dev" }]);
  });

  it("tags a task definition, a task and a container instance", async () => {
    for (const arn of [taskDefinitionArn, taskArn]) {
      expect(await tagsOf(arn)).toEqual([]);
      await tag(arn, [{ key: "k", value: "v" }]);
      expect(await tagsOf(arn)).toEqual([{ key: "k", value: "v" }]);
      await untag(arn, ["k"]);
      expect(await tagsOf(arn)).toEqual([]);
    }
    expect(await tagsOf(instanceArn)).toEqual([{ key: "role", value: "worker" }]);
    await tag(instanceArn, [{ key: "rack", value: "r1" }]);
    const { containerInstances } = await berth.ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: "tagged",
        containerInstances: [instanceArn],
        include: ["TAGS"],
      }),
    );
    expect(containerInstances?.[0].tags).toEqual([
      { key: "role", value: "worker" },
      { key: "rack", value: "r1" },
    ]);
  });

  it("answers for resources that are not there as ECS does", async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "short-lived" }));
    await berth.ecs.send(new DeleteClusterCommand({ cluster: "short-lived" }));
    for (const gone of [`${ARN}:cluster/short-lived`, `${ARN}:cluster/never`, `${ARN}:task/never/${"1".repeat(32)}`]) {
      await expect(tagsOf(gone)).rejects.toMatchObject({
        name: "InvalidParameterException",
        message: "The specified cluster is inactive. Specify an active cluster and try again.",
      });
    }
    for (const missing of [
      `${ARN}:task/tagged/${"1".repeat(32)}`,
      `${ARN}:container-instance/tagged/${"1".repeat(32)}`,
      `${ARN}:task-definition/web:2`,
      `${ARN}:service/tagged/api`,
    ]) {
      await expect(tag(missing, [{ key: "k", value: "v" }])).rejects.toMatchObject({
        name: "ResourceNotFoundException",
      });
    }
    await expect(tagsOf(`${ARN}:task/${"1".repeat(32)}`)).rejects.toMatchObject({
      name: "InvalidParameterException",
      message: "Long arn format must be used for tagging operations",
    });
    for (const invalid of [
      "not-an-arn",
      "arn:aws:ecr:us-east-1:000000000000:repository/web",
      `${ARN}:task-definition/web`,
    ]) {
      await expect(tagsOf(invalid)).rejects.toMatchObject({ name: "InvalidParameterException" });
    }
  });

  it("enforces ECS's tag rules", async () => {
    const invalid = { name: "InvalidParameterException" };
    await expect(tag(clusterArn, [{ key: "aws:reserved", value: "x" }])).rejects.toMatchObject(invalid);
    await expect(
      tag(clusterArn, [
        { key: "dup", value: "1" },
        { key: "dup", value: "2" },
      ]),
    ).rejects.toMatchObject(invalid);
    // 50 tags per resource: the cluster has one already.
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    await expect(tag(clusterArn, many)).rejects.toMatchObject(invalid);
    await tag(clusterArn, many.slice(0, 49));
    expect(await tagsOf(clusterArn)).toHaveLength(50);
  });
});
