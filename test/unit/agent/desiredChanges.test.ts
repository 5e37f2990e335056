import { describe, expect, it } from "vitest";
import { createDesiredChanges } from "../../../agent/desiredChanges.ts";
import { desiredDigest } from "../../../core/model/desiredDigest.ts";

describe("whether a heartbeat's digest shows a change the agent has not seen", () => {
  const a = { taskArn: "arn:a", desiredStatus: "RUNNING", lastStatus: "RUNNING" };
  const b = { taskArn: "arn:b", desiredStatus: "RUNNING", lastStatus: "PENDING" };

  it("sees one before the first sync, none for what the last sync read, one for a placement or a stop asked for", () => {
    const changes = createDesiredChanges();
    expect(changes.changed(desiredDigest([]), 30)).toBe(true);
    changes.synced([a, b], 10);
    expect(changes.changed(desiredDigest([a, { ...b, lastStatus: "RUNNING" }]), 30)).toBe(false);
    expect(changes.changed(desiredDigest([a, b, { taskArn: "arn:c", desiredStatus: "RUNNING" }]), 30)).toBe(true);
    expect(changes.changed(desiredDigest([a, { ...b, desiredStatus: "STOPPED" }]), 30)).toBe(true);
  });

  it("sees none when a task the agent reported STOPPED leaves the digest, and one when the control plane stopped it", () => {
    const changes = createDesiredChanges();
    changes.synced([a, b], 10);
    const bStopped = desiredDigest([a, { ...b, desiredStatus: "STOPPED", lastStatus: "STOPPED" }]);
    expect(changes.changed(bStopped, 30)).toBe(true);
    changes.reportedStopped("arn:b");
    expect(changes.changed(bStopped, 30)).toBe(false);
    // A beat sent before the last sync began reading is older news.
    expect(changes.changed(desiredDigest([a, b, { taskArn: "arn:c", desiredStatus: "RUNNING" }]), 5)).toBe(false);
    // A new sync starts from what it read.
    changes.synced([a], 20);
    expect(changes.changed(bStopped, 30)).toBe(false);
    expect(changes.changed(desiredDigest([a, b]), 30)).toBe(true);
  });
});
