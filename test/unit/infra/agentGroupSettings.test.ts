import { describe, expect, it } from "vitest";
import { agentGroupSettings } from "../../../infra/agentGroupSettings.ts";

describe("the hosts' Auto Scaling group settings", () => {
  it("declare no group without a maximum size", () => {
    expect(agentGroupSettings({})).toBeUndefined();
  });

  it("fill in the defaults: from zero, the default VPC's zones, berth-hosts at a 100 % target", () => {
    expect(agentGroupSettings({ BERTH_AGENT_GROUP_MAX_SIZE: "3" })).toEqual({
      minSize: 0,
      maxSize: 3,
      subnets: [],
      providerName: "berth-hosts",
      targetCapacity: 100,
    });
  });

  it("take subnets, a minimum, a provider name and a target capacity", () => {
    expect(
      agentGroupSettings({
        BERTH_AGENT_GROUP_MAX_SIZE: "10",
        BERTH_AGENT_GROUP_MIN_SIZE: "1",
        BERTH_AGENT_GROUP_SUBNETS: "subnet-0a1b2c3d, subnet-4e5f6a7b",
        BERTH_CAPACITY_PROVIDER: "web-hosts",
        BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY: "80",
      }),
    ).toEqual({
      minSize: 1,
      maxSize: 10,
      subnets: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
      providerName: "web-hosts",
      targetCapacity: 80,
    });
  });

  it("refuse what would fail later, naming the setting", () => {
    const refused = (env: Record<string, string>) => () =>
      agentGroupSettings({ BERTH_AGENT_GROUP_MAX_SIZE: "2", ...env });
    expect(refused({ BERTH_AGENT_GROUP_MAX_SIZE: "0" })).toThrow(
      /BERTH_AGENT_GROUP_MAX_SIZE must be a whole number of at least 1/,
    );
    expect(refused({ BERTH_AGENT_GROUP_MIN_SIZE: "3" })).toThrow(/MIN_SIZE \(3\) must not exceed/);
    expect(refused({ BERTH_AGENT_GROUP_SUBNETS: "vpc-1" })).toThrow(/BERTH_AGENT_GROUP_SUBNETS must list subnet ids/);
    expect(refused({ BERTH_CAPACITY_PROVIDER: "ecs-hosts" })).toThrow(
      /cannot be prefixed with "aws", "ecs", or "fargate"/,
    );
    expect(refused({ BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY: "101" })).toThrow(/1 to 100/);
    expect(refused({ BERTH_CAPACITY_PROVIDER_TARGET_CAPACITY: "0.5" })).toThrow(
      /TARGET_CAPACITY must be a whole number/,
    );
  });
});
