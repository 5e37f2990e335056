import { describe, expect, it } from "vitest";
import { history, remember, seed, unseed, unseeded } from "../../../console/src/utilizationHistory.ts";

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

  it("merges Berth's history with the heartbeats the tab sees, one sample per heartbeat time", () => {
    const t0 = 2_000_000_000;
    remember([beat("i-3", t0 + 120_000, 70)], t0 + 120_000);
    const kept = (at: number, cpuPercent: number) => ({
      at: new Date(at),
      cpuPercent,
      memoryUsedMiB: 1536,
      memoryTotalMiB: 2048,
    });
    // Too old for the hour, two minutes' samples, and the heartbeat the tab saw already.
    const seen = { ...kept(t0 + 120_000, 70), memoryUsedMiB: 512 };
    seed("i-3", [kept(t0 - 3_600_000, 5), kept(t0, 10), kept(t0 + 60_000, 20), seen], t0 + 120_000);
    expect(history("i-3")).toEqual([
      { at: t0, cpu: 10, memory: 75 },
      { at: t0 + 60_000, cpu: 20, memory: 75 },
      { at: t0 + 120_000, cpu: 70, memory: 25 },
    ]);
  });

  it("asks Berth for each instance's history once", () => {
    expect(unseeded(["i-4", "i-5"])).toEqual(["i-4", "i-5"]);
    expect(unseeded(["i-5", "i-6"])).toEqual(["i-6"]);
  });

  it("asks again for an instance whose history read failed for a passing reason", () => {
    expect(unseeded(["i-7"])).toEqual(["i-7"]);
    unseed("i-7");
    expect(unseeded(["i-7", "i-8"])).toEqual(["i-7", "i-8"]);
    expect(unseeded(["i-7"])).toEqual([]);
  });
});
