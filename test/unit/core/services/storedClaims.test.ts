import { describe, expect, it } from "vitest";
import { claimsOf, storeClaims } from "../../../../core/services/storedClaims.ts";
import type { Claims } from "../../../../core/services/targets.ts";

const PREFIX = "arn:aws:ecs:us-east-1:123456789012:task/production-cluster/";
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-targets/73e2d6bc24d8a067";
const TG2 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/admin-targets/0d5e7a1c9b3f4e21";
const taskId = (n: number) => n.toString(16).padStart(32, "0");
const instanceId = (n: number) => `i-${n.toString(16).padStart(17, "0")}`;

/** `tasks` tasks spread over `instances` instances, each a target in every group of `groups` (host ports from 32768). */
function claimsFor(tasks: number, instances: number, groups: string[]): Claims {
  return Object.fromEntries(
    Array.from({ length: tasks }, (_, n) => [
      PREFIX + taskId(n),
      groups.map((targetGroupArn, i) => ({
        targetGroupArn,
        id: instanceId(n % instances),
        port: 32768 + Math.floor(n / instances) * groups.length + i,
      })),
    ]),
  );
}

// What the record holds: its JSON (a DynamoDB item keeps it as one string, `data`).
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("the targets a service's scheduler has taken on, as its record stores them", () => {
  it("read back as they were", () => {
    const claims = claimsFor(50, 7, [TG, TG2]);
    expect(claimsOf(storeClaims(claims))).toEqual(claims);
  });

  it("key tasks by their id, and name each target group and instance once", () => {
    const stored = storeClaims(claimsFor(3, 2, [TG]));
    expect(stored).toEqual({
      taskArnPrefix: PREFIX,
      targetGroups: [TG],
      instances: [instanceId(0), instanceId(1)],
      tasks: {
        [taskId(0)]: [[0, 0, 32768]],
        [taskId(1)]: [[0, 1, 32768]],
        [taskId(2)]: [[0, 0, 32769]],
      },
    });
  });

  it("keep whole the ARN of a task in another cluster, or of another form", () => {
    const claims: Claims = {
      [`${PREFIX}${taskId(1)}`]: [{ targetGroupArn: TG, id: "i-1", port: 80 }],
      "arn:aws:ecs:us-east-1:123456789012:task/other/abc": [{ targetGroupArn: TG, id: "i-2", port: 80 }],
      [`${PREFIX}arn:odd`]: [{ targetGroupArn: TG2, id: "i-1", port: 81 }],
    };
    const stored = storeClaims(claims);
    expect(Object.keys(stored?.tasks ?? {})).toEqual([
      taskId(1),
      "arn:aws:ecs:us-east-1:123456789012:task/other/abc",
      `${PREFIX}arn:odd`,
    ]);
    expect(claimsOf(stored)).toEqual(claims);
  });

  it("are nothing when there are none", () => {
    expect(storeClaims({})).toBeUndefined();
    expect(claimsOf(undefined)).toEqual({});
  });

  it("are read from a record written before, by task ARN", () => {
    const written: Claims = claimsFor(4, 2, [TG, TG2]);
    expect(claimsOf(written)).toEqual(written);
    expect(claimsOf(storeClaims(claimsOf(written)))).toEqual(written);
  });

  it("let a service's item hold 7,000 tasks' targets in one target group, where 1,700 did not fit before", () => {
    expect(bytes(claimsFor(1700, 100, [TG]))).toBeGreaterThan(400 * 1024);
    // Room left for the rest of the record (its service, deployments and events).
    expect(bytes(storeClaims(claimsFor(7000, 100, [TG])))).toBeLessThan(360 * 1024);
  });
});
