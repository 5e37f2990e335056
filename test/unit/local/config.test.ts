import { describe, expect, it } from "vitest";
import { localOptions } from "../../../local/config.ts";

describe("BERTH_AGENT_HEARTBEAT_SECONDS", () => {
  it("defaults to 10 s and takes fractions", () => {
    expect(localOptions({}, {}).agentHeartbeatSeconds).toBe(10);
    expect(localOptions({}, { BERTH_AGENT_HEARTBEAT_SECONDS: "0.5" }).agentHeartbeatSeconds).toBe(0.5);
  });

  it.each(["0", "-1", "", "ten", "Infinity"])("refuses '%s', naming the variable", (value) => {
    expect(() => localOptions({}, { BERTH_AGENT_HEARTBEAT_SECONDS: value })).toThrow(/BERTH_AGENT_HEARTBEAT_SECONDS/);
  });
});
