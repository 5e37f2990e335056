/**
 * ECS's account settings through @aws-sdk/client-ecs: Put, PutDefault, Delete and List (own and
 * effective settings, by name and value, paged), and containerInsights as a new cluster's default.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteAccountSettingCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListAccountSettingsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBerth, type TestBerth } from "../support/berth.ts";
import { failure } from "../support/failure.ts";

let berth: TestBerth;
beforeAll(async () => {
  berth = await startBerth();
});
afterAll(() => berth.stop());

const ROOT = "arn:aws:iam::000000000000:root";
const ROLE = "arn:aws:iam::000000000000:role/deployer";

const list = (input: ConstructorParameters<typeof ListAccountSettingsCommand>[0] = {}) =>
  berth.ecs.send(new ListAccountSettingsCommand(input));

describe("account settings", () => {
  it("lists ECS's initial values as the effective settings of an untouched account, none as its own", async () => {
    expect((await list()).settings).toEqual([]);
    const effective = await list({ effectiveSettings: true, name: "taskLongArnFormat" });
    expect(effective.settings).toEqual([
      { name: "taskLongArnFormat", value: "enabled", principalArn: ROOT, type: "user" },
    ]);
    const managed = await list({ effectiveSettings: true, name: "guardDutyActivate" });
    expect(managed.settings?.[0]).toMatchObject({ value: "off", type: "aws_managed" });
  });

  it("pages the effective settings 10 at a time, in name order", async () => {
    const first = await list({ effectiveSettings: true });
    expect(first.settings).toHaveLength(10);
    expect(first.nextToken).toBeDefined();
    const second = await list({ effectiveSettings: true, nextToken: first.nextToken });
    const names = [...(first.settings ?? []), ...(second.settings ?? [])].map((s) => s.name);
    expect(names).toHaveLength(11);
    expect(names).toEqual([...names].sort());
    expect(second.nextToken).toBeUndefined();
  });

  it("sets the account's default, which a principal without its own setting follows", async () => {
    const { setting } = await berth.ecs.send(
      new PutAccountSettingDefaultCommand({ name: "awsvpcTrunking", value: "enabled" }),
    );
    expect(setting).toEqual({ name: "awsvpcTrunking", value: "enabled", principalArn: ROOT, type: "user" });
    const forRole = await list({ effectiveSettings: true, name: "awsvpcTrunking", principalArn: ROLE });
    expect(forRole.settings?.[0]).toMatchObject({ value: "enabled", principalArn: ROOT });
    expect((await list({ principalArn: ROLE })).settings).toEqual([]);
  });

  it("keeps a principal's own setting over the account's, until it is deleted", async () => {
    await berth.ecs.send(
      new PutAccountSettingCommand({ name: "awsvpcTrunking", value: "disabled", principalArn: ROLE }),
    );
    const own = await list({ principalArn: ROLE, name: "awsvpcTrunking", value: "disabled" });
    expect(own.settings).toEqual([{ name: "awsvpcTrunking", value: "disabled", principalArn: ROLE, type: "user" }]);
    const deleted = await berth.ecs.send(
      new DeleteAccountSettingCommand({ name: "awsvpcTrunking", principalArn: ROLE }),
    );
    expect(deleted.setting).toMatchObject({ value: "disabled", principalArn: ROLE });
    const after = await list({ effectiveSettings: true, name: "awsvpcTrunking", principalArn: ROLE });
    expect(after.settings?.[0]).toMatchObject({ value: "enabled", principalArn: ROOT });
  });

  it("refuses values a setting does not take, AWS-managed settings, and a value without a name", async () => {
    const value = await failure(
      berth.ecs.send(new PutAccountSettingCommand({ name: "taskLongArnFormat", value: "ENABLED" })),
    );
    expect(value.name).toBe("InvalidParameterException");
    expect(value.message).toContain("enabled, disabled");
    const managed = await failure(
      berth.ecs.send(new PutAccountSettingDefaultCommand({ name: "guardDutyActivate", value: "on" })),
    );
    expect(managed.name).toBe("InvalidParameterException");
    const unnamed = await failure(list({ value: "enabled" }));
    expect(unnamed.name).toBe("InvalidParameterException");
  });

  it("gives a new cluster without settings the account's containerInsights", async () => {
    await berth.ecs.send(new PutAccountSettingCommand({ name: "containerInsights", value: "enhanced" }));
    const { cluster } = await berth.ecs.send(new CreateClusterCommand({ clusterName: "insightful" }));
    expect(cluster?.settings).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    const given = await berth.ecs.send(
      new CreateClusterCommand({ clusterName: "plain", settings: [{ name: "containerInsights", value: "disabled" }] }),
    );
    expect(given.cluster?.settings).toEqual([{ name: "containerInsights", value: "disabled" }]);
  });

  it("gives new tasks, containers, services and container instances short ARNs while the long formats are disabled", async () => {
    const formats = ["taskLongArnFormat", "serviceLongArnFormat", "containerInstanceLongArnFormat"] as const;
    for (const name of formats) await berth.ecs.send(new PutAccountSettingCommand({ name, value: "disabled" }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: "legacy" }));
    const { containerInstance } = await berth.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "legacy",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 1024 },
        ],
      }),
    );
    const instanceArn = containerInstance?.containerInstanceArn as string;
    expect(instanceArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:container-instance\/[0-9a-f]{32}$/);
    await berth.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "old",
        containerDefinitions: [{ name: "c", image: "busybox", memory: 32 }],
      }),
    );
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: "legacy", taskDefinition: "old" }));
    const taskArn = tasks?.[0].taskArn as string;
    expect(taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/[0-9a-f]{32}$/);
    expect(tasks?.[0].containers?.[0].containerArn).toMatch(
      /^arn:aws:ecs:us-east-1:000000000000:container\/[0-9a-f-]+$/,
    );
    expect(tasks?.[0].containerInstanceArn).toBe(instanceArn);
    const { service } = await berth.ecs.send(
      new CreateServiceCommand({ cluster: "legacy", serviceName: "svc", taskDefinition: "old", desiredCount: 0 }),
    );
    expect(service?.serviceArn).toBe("arn:aws:ecs:us-east-1:000000000000:service/svc");
    // Short ARNs name their resources like long ones do.
    const described = await berth.ecs.send(new DescribeTasksCommand({ cluster: "legacy", tasks: [taskArn] }));
    expect(described.tasks?.[0].taskArn).toBe(taskArn);
    const services = await berth.ecs.send(
      new DescribeServicesCommand({ cluster: "legacy", services: [service?.serviceArn as string] }),
    );
    expect(services.services?.[0].serviceName).toBe("svc");
    // ECS tags only resources with long ARNs.
    const tagged = await failure(
      berth.ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key: "k", value: "v" }] })),
    );
    expect(tagged.message).toBe("Long arn format must be used for tagging operations");
    // Nor does it add or propagate tags when it creates them (ECS's words: see operations/accountSettings.ts).
    const refusals = {
      service: await failure(
        berth.ecs.send(
          new CreateServiceCommand({
            cluster: "legacy",
            serviceName: "t",
            taskDefinition: "old",
            desiredCount: 0,
            tags: [{ key: "k" }],
          }),
        ),
      ),
      propagated: await failure(
        berth.ecs.send(
          new RunTaskCommand({ cluster: "legacy", taskDefinition: "old", propagateTags: "TASK_DEFINITION" }),
        ),
      ),
      managed: await failure(
        berth.ecs.send(new RunTaskCommand({ cluster: "legacy", taskDefinition: "old", enableECSManagedTags: true })),
      ),
    };
    const opt = "Opt in to the new format and try again.";
    expect(refusals.service.message).toBe(
      `The new ARN and resource ID format must be enabled to add tags to the service. ${opt}`,
    );
    expect(refusals.propagated.message).toBe(
      `The new ARN and resource ID format must be enabled to propagate tags. ${opt}`,
    );
    expect(refusals.managed.message).toBe(
      `The new ARN and resource ID format must be enabled to work with ECS managed tags. ${opt}`,
    );

    for (const name of formats) await berth.ecs.send(new DeleteAccountSettingCommand({ name }));
    const { tasks: later } = await berth.ecs.send(new RunTaskCommand({ cluster: "legacy", taskDefinition: "old" }));
    expect(later?.[0].taskArn).toMatch(/:task\/legacy\/[0-9a-f]{32}$/);
  });
});
