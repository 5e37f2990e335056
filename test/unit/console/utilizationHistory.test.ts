import { describe, expect, it } from "vitest";
import { history, remember } from "../../../console/src/utilizationHistory.ts";

const beat = (arn: string, atMs: number, cpuPercent: number) => ({
  containerInstanceArn: arn,
  agentConnected: true,
  lastHeartbeatAt: new Date(atMs),
  cpuPercent,
  memoryUsedMiB: 512,
  memoryTotalMiB: 2048,
  tasks: [],
});

describe("utilization history", () => {
  it("keeps one sample per heartbeat, for the last hour, in percent", () => {
    const t0 = 1_000_000_000;
    remember([beat("i-1", t0, 10)], t0);
    remember([beat("i-1", t0, 10)], t0 + 3_000); // polled again before the next heartbeat
    remember([beat("i-1", t0 + 10_000, 30)], t0 + 10_000);
    expect(history("i-1")).toEqual([
      { at: t0, cpu: 10, memory: 25 },
      { at: t0 + 10_000, cpu: 30, memory: 25 },
    ]);
    remember([beat("i-1", t0 + 3_605_000, 50)], t0 + 3_605_000);
    expect(history("i-1").map((s) => s.cpu)).toEqual([30, 50]);
  });

  it("skips heartbeats without figures", () => {
    remember([{ containerInstanceArn: "i-2", agentConnected: false, tasks: [] }]);
    expect(history("i-2")).toEqual([]);
  });
});
