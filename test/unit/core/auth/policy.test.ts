import { describe, expect, it } from "vitest";
import { allows, matches } from "../../../../core/auth/policy.ts";

const cluster = (name: string) => `arn:aws:ecs:us-east-1:000000000000:cluster/${name}`;

describe("IAM-style patterns", () => {
  it.each([
    ["*", "anything", true],
    ["ecs:Describe*", "ecs:DescribeTasks", true],
    ["ecs:Describe*", "ecs:ListTasks", false],
    ["arn:aws:ecs:*:*:cluster/w?b", cluster("web"), true],
    ["arn:aws:ecs:*:*:cluster/w?b", cluster("webb"), false],
    ["arn:aws:ecs:*:*:cluster/web", cluster("web-2"), false],
    ["a.b", "axb", false],
    ["a*", "a", true],
    ["*a*b*", "xaxxbx", true],
    ["*a*b*", "xbxxax", false],
    ["a*b?", "ax\nb\n", true],
    ["**", "", true],
    ["?", "", false],
  ])("%s against %s: %s", (pattern, value, expected) => {
    expect(matches(pattern, value)).toBe(expected);
  });
});

describe("patterns that a regular expression would backtrack on", () => {
  it("answers in at most pattern × value steps, a match or not", () => {
    const long = "a".repeat(100_000);
    expect(matches(`${"a*".repeat(30)}b`, long.slice(0, 60))).toBe(false);
    expect(matches("arn:aws:ecs:*:*:cluster/*", `arn:aws:ecs:us-east-1:0:task/${long}`)).toBe(false);
    expect(matches("arn:aws:ecs:*:*:task/*", `arn:aws:ecs:us-east-1:0:task/${long}`)).toBe(true);
  });
});

describe("policies", () => {
  const scoped = { kind: "scoped" as const, actions: ["ecs:RunTask", "ecs:list*"], resources: [cluster("web")] };
  it.each([
    [{ kind: "admin" as const }, "berth:CreateAccessKey", [cluster("x")], true],
    [{ kind: "read-only" as const }, "ecs:DescribeTasks", [cluster("x")], true],
    [{ kind: "read-only" as const }, "ecs:RunTask", [cluster("x")], false],
    [{ kind: "read-only" as const }, "berth:ListAccessKeys", ["*"], false],
    [{ kind: "read-only" as const }, "berth:GetAgentCredentials", [cluster("x")], false],
    [scoped, "ecs:RunTask", [cluster("web")], true],
    [scoped, "ecs:ListTasks", [cluster("web")], true],
    [scoped, "ecs:RunTask", [cluster("db")], false],
    [scoped, "ecs:StopTask", [cluster("web")], false],
    [{ kind: "scoped" as const, actions: ["*"], resources: ["*"] }, "berth:DeleteAccessKey", ["*"], false],
    [{ kind: "bootstrap" as const, cluster: "web" }, "ecs:ListClusters", ["*"], false],
    [{ kind: "read-only" as const }, "berth:GetCallerIdentity", [cluster("default")], true],
    [scoped, "berth:GetCallerIdentity", [cluster("default")], true],
  ])("%j may %s on %j: %s", (policy, action, resources, expected) => {
    expect(allows(policy, { action, resources })).toBe(expected);
  });
});
