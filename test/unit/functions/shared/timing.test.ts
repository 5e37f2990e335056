import { describe, expect, it } from "vitest";
import { timingFromEnv } from "../../../../functions/shared/timing.ts";

/** The deploy-time timing settings, as the functions read them and the deploy checks them. */
describe("timingFromEnv", () => {
  it("reads seconds into the context's milliseconds, and leaves the defaults when unset", () => {
    expect(timingFromEnv({ BERTH_AGENT_HEARTBEAT_SECONDS: "2", BERTH_LOST_INSTANCE_GRACE_SECONDS: "6.5" })).toEqual({
      agentHeartbeatIntervalMs: 2000,
      lostInstanceGraceMs: 6500,
    });
    expect(timingFromEnv({})).toEqual({});
  });

  it("refuses what is not a positive number of seconds, naming the setting", () => {
    expect(() => timingFromEnv({ BERTH_AGENT_HEARTBEAT_SECONDS: "10s" })).toThrow(
      "BERTH_AGENT_HEARTBEAT_SECONDS must be a positive number of seconds, not '10s'.",
    );
    expect(() => timingFromEnv({ BERTH_LOST_INSTANCE_GRACE_SECONDS: "0" })).toThrow(/GRACE_SECONDS/);
  });
});
