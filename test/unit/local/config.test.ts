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

describe("BERTH_SQS_ENDPOINT", () => {
  it("is the embedded server when unset, else the URL given", () => {
    expect(localOptions({}, {}).sqsEndpoint).toBeUndefined();
    expect(localOptions({}, { BERTH_SQS_ENDPOINT: "http://127.0.0.1:9324/" }).sqsEndpoint).toBe(
      "http://127.0.0.1:9324",
    );
  });

  it.each(["localhost:9324", "ftp://x", "not a url"])("refuses '%s', naming the variable", (value) => {
    expect(() => localOptions({}, { BERTH_SQS_ENDPOINT: value })).toThrow(/BERTH_SQS_ENDPOINT/);
  });
});
