import { describe, expect, it } from "vitest";
import { detailTypeOf, eventLine } from "../../../console/src/events.ts";

const event = (detailType: string, detail: unknown, resource = "arn:aws:ecs:us-east-1:0:task/web/abc") => ({
  time: new Date(1_700_000_000_000),
  source: "berth.ecs",
  detailType,
  resources: [resource],
  detail: JSON.stringify(detail),
});

describe("event lines", () => {
  it("says a task's status, stop code, reason and exit codes", () => {
    const line = eventLine(
      event("ECS Task State Change", {
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        stoppedReason: "Essential container in task exited",
        containers: [{ name: "httpd", exitCode: 137 }, { name: "side" }],
      }),
    );
    expect(line).toEqual({
      time: new Date(1_700_000_000_000),
      kind: "task",
      resource: "arn:aws:ecs:us-east-1:0:task/web/abc",
      summary:
        "STOPPED (desired STOPPED) · EssentialContainerExited · Essential container in task exited · httpd exit 137",
    });
  });

  it("reads epoch seconds as the wire sends them, and names deployments and instances in ECS's words", () => {
    const wire = {
      ...event("ECS Deployment State Change", { eventName: "SERVICE_DEPLOYMENT_COMPLETED" }),
      time: 1_700_000_000,
    };
    const line = eventLine(wire as unknown as Parameters<typeof eventLine>[0]);
    expect(line.time).toEqual(new Date(1_700_000_000_000));
    expect(line.summary).toBe("SERVICE_DEPLOYMENT_COMPLETED");
    expect(
      eventLine(event("ECS Container Instance State Change", { status: "DRAINING", agentConnected: false })).summary,
    ).toBe("DRAINING · agent disconnected");
  });

  it("asks ListEvents for a kind of line by its detail type", () => {
    expect(detailTypeOf("service")).toBe("ECS Service Action");
    expect(detailTypeOf("instance")).toBe("ECS Container Instance State Change");
    expect(eventLine(event(detailTypeOf("deployment") ?? "", {})).kind).toBe("deployment");
    expect(detailTypeOf("other")).toBeUndefined();
  });
});
