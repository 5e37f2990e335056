import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../../agent/config.ts";
import { allows, matches } from "../../../../core/auth/policy.ts";
import { open, seal } from "../../../../core/auth/secretBox.ts";
import { familyOf, parseThrottle, Throttle, type ThrottlingError } from "../../../../core/auth/throttle.ts";
import { resourcesOf } from "../../../../core/auth/touchedResources.ts";
import { checkJsonDepth } from "../../../../core/protocol/limits.ts";

const P = { region: "us-east-1", accountId: "000000000000" };
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
  ])("%s against %s: %s", (pattern, value, expected) => {
    expect(matches(pattern, value)).toBe(expected);
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
  ])("%j may %s on %j: %s", (policy, action, resources, expected) => {
    expect(allows(policy, { action, resources })).toBe(expected);
  });
});

describe("the resources a call touches", () => {
  it.each([
    ["ecs:RunTask", { cluster: "web" }, [cluster("web")]],
    ["ecs:RunTask", {}, [cluster("default")]],
    ["ecs:RunTask", { cluster: cluster("web") }, [cluster("web")]],
    ["ecs:RunTask", { cluster: 5 }, [cluster("default")]],
    ["ecs:CreateCluster", { clusterName: "new" }, [cluster("new")]],
    ["ecs:DescribeClusters", { clusters: ["a", "b"] }, [cluster("a"), cluster("b")]],
    ["ecs:ListClusters", {}, ["*"]],
    ["ecs:RegisterTaskDefinition", { family: "x" }, ["*"]],
    ["ecs:TagResource", { resourceArn: "arn:aws:ecs:us-east-1:000000000000:service/web/svc" }, [cluster("web")]],
    [
      "ecs:TagResource",
      { resourceArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/app:1" },
      ["arn:aws:ecs:us-east-1:000000000000:task-definition/app:1"],
    ],
    ["berth:Heartbeat", { cluster: "web" }, [cluster("web")]],
  ])("%s %j touches %j", (action, input, expected) => {
    expect(resourcesOf(P, action, input)).toEqual(expected);
  });
});

describe("sealed secrets", () => {
  const kek = randomBytes(32);
  it("open with the same key and associated data only", () => {
    const box = seal(kek, "s3cret", "AKIA1");
    expect(box).not.toContain("s3cret");
    expect(open(kek, box, "AKIA1")).toBe("s3cret");
    expect(open(kek, box, "AKIA2")).toBeUndefined();
    expect(open(randomBytes(32), box, "AKIA1")).toBeUndefined();
    expect(open(kek, `${box.slice(0, -2)}AA`, "AKIA1")).toBeUndefined();
    expect(open(kek, "garbage", "AKIA1")).toBeUndefined();
  });
});

describe("throttling", () => {
  it("lets a burst through, then the sustained rate, per key and family", () => {
    let now = 0;
    const throttle = new Throttle(
      { read: { burst: 3, rate: 1 }, mutate: { burst: 1, rate: 1 }, agent: { burst: 1, rate: 1 } },
      () => now,
    );
    for (let i = 0; i < 3; i++) throttle.take("A", "ListTasks");
    expect(() => throttle.take("A", "ListTasks")).toThrow(
      expect.objectContaining({ name: "ThrottlingException", message: "Rate exceeded" }),
    );
    throttle.take("B", "ListTasks");
    throttle.take("A", "RunTask");
    now = 1000;
    throttle.take("A", "DescribeTasks");
    expect(() => throttle.take("A", "DescribeTasks")).toThrow();
  });

  it("marks the first refusal since the bucket last let a call through", () => {
    let now = 0;
    const throttle = new Throttle(
      { read: { burst: 1, rate: 1 }, mutate: { burst: 1, rate: 1 }, agent: { burst: 1, rate: 1 } },
      () => now,
    );
    const refusal = () => {
      try {
        throttle.take("A", "RunTask");
      } catch (error) {
        return (error as ThrottlingError).startsEpisode;
      }
      return "allowed";
    };
    expect([refusal(), refusal(), refusal()]).toEqual(["allowed", true, false]);
    now = 1000;
    expect([refusal(), refusal()]).toEqual(["allowed", true]);
  });

  it("sorts actions into families and reads limits from text", () => {
    expect([familyOf("DescribeTasks"), familyOf("RunTask"), familyOf("SubmitTaskStateChange")]).toEqual([
      "read",
      "mutate",
      "agent",
    ]);
    expect(parseThrottle("read=10/5, agent=2/1")).toMatchObject({
      read: { burst: 10, rate: 5 },
      agent: { burst: 2, rate: 1 },
    });
    expect(() => parseThrottle("reads=1")).toThrow(/BERTH_THROTTLE/);
  });
});

describe("JSON depth", () => {
  it("counts brackets outside strings only", () => {
    expect(() => checkJsonDepth(`{"a":"${"[".repeat(100)}"}`)).not.toThrow();
    expect(() => checkJsonDepth("[".repeat(33))).toThrow(/nested/);
  });
});

describe("the agent's bootstrap token setting", () => {
  const load = (token: string) =>
    loadAgentConfig({ env: { BERTH_ENDPOINT: "http://cp", BERTH_BOOTSTRAP_TOKEN: token }, configFile: false });

  it("reads <access key id>:<secret>", () => {
    expect(load("AKIAX:s3cret+x").bootstrapToken).toEqual({ accessKeyId: "AKIAX", secretAccessKey: "s3cret+x" });
  });

  it("refuses a malformed token without echoing it", () => {
    expect(() => load("s3cretwithoutcolon")).toThrow(/BERTH_BOOTSTRAP_TOKEN must be .*value hidden/);
    expect(() => load("s3cretwithoutcolon")).not.toThrow(/s3cretwithoutcolon/);
  });
});
