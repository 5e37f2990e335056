import { cpus, freemem, totalmem } from "node:os";

/**
 * The host's CPU use since the previous sample (from the kernel's per-CPU time counters, which
 * os.cpus() exposes) and its memory use, for the heartbeat. The first sample covers the time
 * since boot.
 */
export function createHostSampler() {
  let previous = cpuTimes();
  return () => {
    const now = cpuTimes();
    const total = now.total - previous.total;
    const idle = now.idle - previous.idle;
    previous = now;
    const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
    return {
      cpuPercent: total > 0 ? Math.round((1000 * (total - idle)) / total) / 10 : 0,
      memoryUsedMiB: mib(totalmem() - freemem()),
      memoryTotalMiB: mib(totalmem()),
    };
  };
}

function cpuTimes() {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}
