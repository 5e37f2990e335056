import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { describe, expect, it, vi } from "vitest";
import { watchEvents } from "../../../../agent/runtime/dockerEvents.ts";
import type { RuntimeEvent } from "../../../../agent/runtime/types.ts";

const LABEL = "com.amazonaws.ecs.task-arn";

describe("Docker event stream", () => {
  it("translates container events, says when the stream ends, reconnects, and asks for a resync", async () => {
    const streams: PassThrough[] = [];
    const docker = {
      getEvents: vi.fn(async () => {
        const stream = new PassThrough();
        streams.push(stream);
        return stream;
      }),
    } as unknown as Docker;
    const events: RuntimeEvent[] = [];
    const watch = watchEvents(docker, LABEL, (e) => events.push(e));
    await vi.waitFor(() => expect(streams).toHaveLength(1));

    const line = (action: string, labels: Record<string, string> = { [LABEL]: "arn" }) =>
      `${JSON.stringify({ Type: "container", Action: action, Actor: { ID: "c1", Attributes: labels } })}\n`;
    // Split across chunks, as a socket may deliver it.
    const die = line("die");
    streams[0].write(die.slice(0, 10));
    streams[0].write(die.slice(10) + line("health_status: healthy") + line("die", { other: "x" }) + line("attach"));
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events).toEqual([
      { type: "die", containerId: "c1", labels: { [LABEL]: "arn" } },
      { type: "health", containerId: "c1", labels: { [LABEL]: "arn" } },
    ]);

    streams[0].end(); // dockerd restarted
    await vi.waitFor(() => expect(events.at(-1)).toEqual({ type: "resync" }), { timeout: 2_000 });
    expect(events.slice(2)).toEqual([
      { type: "interrupted", error: new Error("the stream ended") },
      { type: "resync" },
    ]);
    expect(streams).toHaveLength(2);
    watch.close();
  });

  it("says so at each attempt that cannot reopen the stream, and asks for a resync once one does", async () => {
    const refused = new Error("connect ENOENT /var/run/docker.sock");
    const getEvents = vi
      .fn()
      .mockRejectedValueOnce(refused)
      .mockRejectedValueOnce(refused)
      .mockResolvedValue(new PassThrough());
    const events: RuntimeEvent[] = [];
    const watch = watchEvents({ getEvents } as unknown as Docker, LABEL, (e) => events.push(e));
    await vi.waitFor(() => expect(events.at(-1)).toEqual({ type: "resync" }), { timeout: 2_000 });
    expect(events).toEqual([
      { type: "interrupted", error: refused },
      { type: "interrupted", error: refused },
      { type: "resync" },
    ]);
    watch.close();
  });
});
