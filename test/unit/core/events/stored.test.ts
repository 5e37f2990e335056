import { describe, expect, it } from "vitest";
import { alsoStored, EVENT_RETENTION_MS, eventId, storedEventOf } from "../../../../core/events/stored.ts";
import type { PutEventsEntry } from "../../../../core/events/types.ts";
import type { StoredEventRecord } from "../../../../core/model/records.ts";
import type { Store } from "../../../../core/store/port.ts";

const ARN = "arn:aws:ecs:us-east-1:000000000000";
const at = new Date("2026-12-02T18:00:00.123Z");
const taskEvent = (version: number, time = at): PutEventsEntry => ({
  Source: "berth.ecs",
  DetailType: "ECS Task State Change",
  Detail: JSON.stringify({ clusterArn: `${ARN}:cluster/web`, version }),
  Resources: [`${ARN}:task/web/t1`],
  Time: time,
});
const settingEvent: PutEventsEntry = {
  Source: "berth.ecs",
  DetailType: "ECS Service Action",
  Detail: JSON.stringify({ version: 1 }),
  Resources: [`${ARN}:account-setting`],
  Time: at,
};

describe("stored events", () => {
  it("keeps an event for its cluster with an id that is the same for the same event and sorts by time then version", () => {
    const record = storedEventOf(taskEvent(3));
    expect(record).toMatchObject({
      cluster: "web",
      time: at.getTime(),
      detailType: "ECS Task State Change",
      expiresAt: at.getTime() + EVENT_RETENTION_MS,
    });
    expect(eventId(taskEvent(3))).toBe(record?.id);
    const ids = [taskEvent(3), taskEvent(10), taskEvent(2, new Date(at.getTime() + 1))].map(eventId);
    expect([...ids].sort()).toEqual(ids);
    expect(storedEventOf(settingEvent)).toBeUndefined();
  });

  it("writes to the store before publishing, and publishes nothing when the store fails", async () => {
    const calls: string[] = [];
    const kept: StoredEventRecord[] = [];
    let failing = false;
    const store = {
      async putEvents(events: StoredEventRecord[]) {
        calls.push("store");
        if (failing) throw new Error("throttled");
        kept.push(...events);
      },
    } as unknown as Store;
    const published: PutEventsEntry[] = [];
    const publisher = alsoStored(store, {
      publish: async (entries) => {
        calls.push("bus");
        published.push(...entries);
      },
    });
    await publisher.publish([taskEvent(1), settingEvent]);
    expect(calls).toEqual(["store", "bus"]);
    expect(kept.map((e) => e.cluster)).toEqual(["web"]);
    expect(published).toEqual([taskEvent(1), settingEvent]);
    failing = true;
    await expect(publisher.publish([taskEvent(2)])).rejects.toThrow("throttled");
    expect(published).toHaveLength(2);
  });
});
