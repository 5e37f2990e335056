import { describe, expect, it } from "vitest";
import { desiredDigest } from "../../../../core/model/desiredDigest.ts";

describe("the digest of the tasks an agent acts on", () => {
  const a = { taskArn: "arn:a", desiredStatus: "RUNNING", lastStatus: "PENDING" };
  const b = { taskArn: "arn:b", desiredStatus: "RUNNING", lastStatus: "RUNNING" };

  it("does not depend on the order or on how far the agent got", () => {
    expect(desiredDigest([a, b])).toBe(desiredDigest([b, { ...a, lastStatus: "RUNNING" }]));
  });

  it("changes with a task placed, a task asked to stop, and a task that stopped", () => {
    const both = desiredDigest([a, b]);
    expect(desiredDigest([a])).not.toBe(both);
    expect(desiredDigest([a, { ...b, desiredStatus: "STOPPED" }])).not.toBe(both);
    expect(desiredDigest([a, { ...b, desiredStatus: "STOPPED", lastStatus: "STOPPED" }])).toBe(desiredDigest([a]));
  });
});
