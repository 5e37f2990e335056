/**
 * CPU profiles of a benchmark's phase, summed up as the frames with the most self time and the
 * most inclusive time: a phase of this process (`profiled`, through the inspector), or the part
 * of another process's `node --cpu-prof` profile (Chrome DevTools, speedscope) that fell within
 * the phase (`profileWindow`).
 */
import { writeFileSync } from "node:fs";
import type { Profiler } from "node:inspector";
import { Session } from "node:inspector/promises";

/** Runs `phase` under this process's CPU profiler when `path` is given, written there and summed up. */
export async function profiled<T>(path: string | undefined, phase: () => Promise<T>): Promise<T> {
  if (!path) return phase();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await phase();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
    console.log(`  CPU profile: ${path}\n${summary(profile)}`);
  }
}

/**
 * The samples of `profile` taken between `from` and `to` (µs on the monotonic clock, as
 * `process.hrtime` reads it in any process: V8 stamps its samples on the same clock).
 */
export function profileWindow(profile: Profiler.Profile, [from, to]: [number, number]): Profiler.Profile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let at = profile.startTime;
  let last = from;
  (profile.samples ?? []).forEach((sample, i) => {
    at += profile.timeDeltas?.[i] ?? 0;
    if (at < from || at > to) return;
    samples.push(sample);
    timeDeltas.push(at - last);
    last = at;
  });
  return { ...profile, startTime: from, endTime: to, samples, timeDeltas };
}

/** The top frames by self and by inclusive time, in percent of the profile's samples. */
export function summary(profile: Profiler.Profile, top = 15): string {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const name = (n: Profiler.ProfileNode) => {
    const file = n.callFrame.url.replace(/^file:\/\//, "").replace(/^.*?\/(core|local|node_modules|bench)\//, "$1/");
    return `${n.callFrame.functionName || "(anonymous)"} ${file}`.trim();
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const samples = profile.samples ?? [];
  for (const id of samples) {
    const leaf = nodes.get(id);
    if (!leaf) continue;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = name(nodes.get(at) as Profiler.ProfileNode);
      if (!seen.has(frame)) inclusive.set(frame, (inclusive.get(frame) ?? 0) + 1);
      seen.add(frame);
    }
  }
  const lines = (title: string, counts: Map<string, number>, skip: (frame: string) => boolean) =>
    [
      `  ${title}:`,
      ...[...counts]
        .filter(([frame]) => !skip(frame))
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([frame, n]) => `    ${((100 * n) / samples.length).toFixed(1).padStart(5)} %  ${frame}`),
    ].join("\n");
  // Frames every sample passes through (the root, the event loop's) say nothing.
  const everywhere = (frame: string) => (inclusive.get(frame) ?? 0) > 0.9 * samples.length;
  return `${lines("self time", self, () => false)}\n${lines("inclusive time", inclusive, everywhere)}`;
}
