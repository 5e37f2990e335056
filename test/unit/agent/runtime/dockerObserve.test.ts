import { describe, expect, it } from "vitest";
import { classifyPull, usage } from "../../../../agent/runtime/dockerObserve.ts";

describe("Docker translations", () => {
  it.each([
    ["pull access denied for x, repository does not exist", "image-not-found"],
    ["manifest for x:1 not found: manifest unknown", "image-not-found"],
    ['Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host', "unreachable"],
    ["toomanyrequests: rate limit", "failed"],
  ])("classifies the pull error %s as %s", (message, code) => {
    expect(classifyPull(message)).toBe(code);
  });

  it("computes CPU % and memory without page cache as docker stats does", () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
      memory_stats: { usage: 30 * 1048576, stats: { inactive_file: 10 * 1048576 } },
    } as unknown as Parameters<typeof usage>[0];
    expect(usage(stats)).toEqual({ cpuPercent: 40, memoryMiB: 20 });
  });
});
