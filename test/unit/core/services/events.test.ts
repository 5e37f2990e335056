import { describe, expect, it } from "vitest";
import { saidRecently, unplaceableEvent } from "../../../../core/services/events.ts";

const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);

describe("service events", () => {
  it("names the closest instance and why, resources before constraints", () => {
    const message = unplaceableEvent("web", [
      { arn: "arn:aws:ecs:us-east-1:0:container-instance/c/aaa", reason: "MemberOf placement constraint unsatisfied." },
      { arn: "arn:aws:ecs:us-east-1:0:container-instance/c/bbb", reason: "RESOURCE:PORTS" },
    ]);
    expect(message).toBe(
      "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance bbb) is already using a port required by your task. For more information, see the Troubleshooting section.",
    );
    expect(unplaceableEvent("web", [])).toMatch(/Reason: No Container Instances were found in your cluster\./);
  });

  it("knows what was said recently", () => {
    const events = [
      { message: "b", createdAt: at(100) },
      { message: "a", createdAt: at(10) },
    ];
    expect(saidRecently(events, "a", at(100).getTime(), 120_000)).toBe(true);
    expect(saidRecently(events, "a", at(100).getTime(), 60_000)).toBe(false);
    expect(saidRecently(events, "c", at(100).getTime(), 120_000)).toBe(false);
  });
});
