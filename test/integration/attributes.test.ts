import {
  CreateClusterCommand,
  DeleteAttributesCommand,
  DescribeContainerInstancesCommand,
  ListAttributesCommand,
  type ListAttributesCommandInput,
  ListContainerInstancesCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";

let berth: TestBerth;
let arn: string;
let id: string;
let other: string;
beforeAll(async () => {
  berth = await startBerth();
  await berth.ecs.send(new CreateClusterCommand({ clusterName: "attrs" }));
  const register = async () =>
    (
      await berth.ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: "attrs",
          totalResources: [
            { name: "CPU", type: "INTEGER", integerValue: 1024 },
            { name: "MEMORY", type: "INTEGER", integerValue: 2048 },
          ],
          attributes: [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.44" }],
        }),
      )
    ).containerInstance?.containerInstanceArn as string;
  arn = await register();
  id = arn.split("/").pop() as string;
  other = await register();
});
afterAll(() => berth.stop());

const putAttributes = (
  attributes: { name: string; value?: string; targetId?: string; targetType?: "container-instance" }[],
) => berth.ecs.send(new PutAttributesCommand({ cluster: "attrs", attributes }));

const listAttributes = (input: Partial<ListAttributesCommandInput> = {}) =>
  berth.ecs.send(new ListAttributesCommand({ cluster: "attrs", targetType: "container-instance", ...input }));

const attributesOf = async (ref: string) =>
  (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: "attrs", containerInstances: [ref] })))
    .containerInstances?.[0].attributes ?? [];

describe("attributes", () => {
  it("puts attributes by ARN, or by id with targetType, replacing an existing value", async () => {
    const { attributes } = await putAttributes([
      { name: "stack", value: "prod", targetId: arn },
      { name: "team", value: "payments", targetId: id, targetType: "container-instance" },
      { name: "gpu-ready", targetId: arn },
    ]);
    expect(attributes).toHaveLength(3);
    await putAttributes([{ name: "stack", value: "staging", targetId: arn }]);
    const attrs = await attributesOf(arn);
    expect(attrs.filter((a) => a.name === "stack")).toEqual([{ name: "stack", value: "staging" }]);
    expect(attrs.find((a) => a.name === "team")?.value).toBe("payments");
    expect(attrs.some((a) => a.name === "gpu-ready")).toBe(true);
  });

  it("makes the attributes visible to the cluster query language", async () => {
    const { containerInstanceArns } = await berth.ecs.send(
      new ListContainerInstancesCommand({ cluster: "attrs", filter: "attribute:stack == staging" }),
    );
    expect(containerInstanceArns).toEqual([arn]);
  });

  it("lists attributes of the cluster's instances, by name and value, a page at a time", async () => {
    const all = await listAttributes();
    expect(all.attributes).toContainEqual({
      name: "team",
      value: "payments",
      targetType: "container-instance",
      targetId: arn,
    });
    // Built-in attributes are listed too.
    expect(
      all.attributes
        ?.filter((a) => a.name === "ecs.os-type")
        .map((a) => a.targetId)
        .sort(),
    ).toEqual([arn, other].sort());
    const named = await listAttributes({ attributeName: "stack" });
    expect(named.attributes).toEqual([
      { name: "stack", value: "staging", targetType: "container-instance", targetId: arn },
    ]);
    expect((await listAttributes({ attributeName: "stack", attributeValue: "prod" })).attributes).toEqual([]);
    await expect(listAttributes({ attributeValue: "prod" })).rejects.toMatchObject({
      name: "InvalidParameterException",
    });

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await listAttributes({ maxResults: 2, nextToken });
      expect(page.attributes?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.attributes ?? []).map((a) => `${a.targetId} ${a.name}`));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.sort()).toEqual((all.attributes ?? []).map((a) => `${a.targetId} ${a.name}`).sort());
  });

  it("deletes attributes by name", async () => {
    const { attributes } = await berth.ecs.send(
      new DeleteAttributesCommand({ cluster: "attrs", attributes: [{ name: "gpu-ready", targetId: arn }] }),
    );
    expect(attributes).toEqual([{ name: "gpu-ready", targetId: arn }]);
    expect((await attributesOf(arn)).some((a) => a.name === "gpu-ready")).toBe(false);
  });

  it("answers TargetNotFoundException for an instance that is not there", async () => {
    const missing = `arn:aws:ecs:us-east-1:000000000000:container-instance/attrs/${"0".repeat(32)}`;
    await expect(putAttributes([{ name: "x", value: "y", targetId: missing }])).rejects.toMatchObject({
      name: "TargetNotFoundException",
    });
    await expect(
      berth.ecs.send(new DeleteAttributesCommand({ cluster: "attrs", attributes: [{ name: "x", targetId: missing }] })),
    ).rejects.toMatchObject({ name: "TargetNotFoundException" });
    // An instance of another cluster is no target in this one.
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "elsewhere" }));
    await expect(
      berth.ecs.send(new PutAttributesCommand({ cluster: "elsewhere", attributes: [{ name: "x", targetId: arn }] })),
    ).rejects.toMatchObject({ name: "TargetNotFoundException" });
  });

  it("applies ECS's rules on names, values, targets and batch size", async () => {
    const invalid = { name: "InvalidParameterException" };
    await expect(putAttributes([{ name: "has space", targetId: arn }])).rejects.toMatchObject(invalid);
    await expect(putAttributes([{ name: "n".repeat(129), targetId: arn }])).rejects.toMatchObject(invalid);
    await expect(putAttributes([{ name: "ok", value: " padded", targetId: arn }])).rejects.toMatchObject(invalid);
    await expect(putAttributes([{ name: "ok", value: "semi;colon", targetId: arn }])).rejects.toMatchObject(invalid);
    await expect(putAttributes([{ name: "ok", value: "v", targetId: id }])).rejects.toMatchObject(invalid);
    await expect(putAttributes([{ name: "ok", value: "v" }])).rejects.toMatchObject(invalid);
    await expect(
      putAttributes(Array.from({ length: 11 }, (_, i) => ({ name: `a${i}`, targetId: arn }))),
    ).rejects.toMatchObject(invalid);
    // Values may hold what ECS allows.
    await putAttributes([{ name: "path", value: "a/b\\c:d@e.f g-h_i", targetId: other }]);
  });

  it("allows 10 custom attributes per instance and refuses the 11th, built-in ones not counted", async () => {
    await putAttributes(Array.from({ length: 9 }, (_, i) => ({ name: `c${i}`, value: "v", targetId: other })));
    // `path` from the test before makes 10.
    await putAttributes([{ name: "c0", value: "replaced", targetId: other }]);
    await expect(putAttributes([{ name: "c9", value: "v", targetId: other }])).rejects.toMatchObject({
      name: "AttributeLimitExceededException",
    });
    expect((await attributesOf(other)).some((a) => a.name === "c9")).toBe(false);
  });
});
