import { describe, expect, it } from "vitest";
import { AUTOSCALING_GROUP_ATTRIBUTE } from "../../../../core/model/capacityProvider.ts";
import type { ContainerInstanceRecord } from "../../../../core/model/records.ts";
import { resourceList } from "../../../../core/model/resourceList.ts";
import { lackedRoom } from "../../../../core/operations/lackedRoom.ts";
import { latestRegistration, NO_ROOM_RECENT_MS, nextNoRoom, waitingOn } from "../../../../core/services/noRoom.ts";

const arn = (id: string) => `arn:aws:ecs:us-east-1:000000000000:container-instance/default/${id}`;

/** An instance of `group` that registered 1024 CPU / 1024 MiB at `registeredMs`. */
function instance(id: string, group: string, registeredMs = 0): ContainerInstanceRecord {
  return {
    cluster: "default",
    id,
    version: 1,
    instance: {
      containerInstanceArn: arn(id),
      status: "ACTIVE",
      registeredAt: new Date(registeredMs),
      registeredResources: resourceList({ cpu: 1024, memory: 1024, ports: [22], udpPorts: [] }),
      attributes: [{ name: AUTOSCALING_GROUP_ATTRIBUTE, value: group }],
    },
  } as ContainerInstanceRecord;
}

const demand = (memory: number) => ({ cpu: 0, memory, ports: [], udpPorts: [] });

describe("lackedRoom", () => {
  const instances = [instance("a", "hosts"), instance("b", "other")];

  it("is a resource failure on an instance of the group that an empty one like it would take", () => {
    const failures = [{ arn: arn("a"), reason: "RESOURCE:MEMORY" }];
    expect(lackedRoom(failures, instances, "hosts", demand(512))).toBe(true);
  });

  it("is not a task larger than the group's instances, nor a fixed port the instance itself holds", () => {
    const failures = [{ arn: arn("a"), reason: "RESOURCE:MEMORY" }];
    expect(lackedRoom(failures, instances, "hosts", demand(2048))).toBe(false);
    const ports = [{ arn: arn("a"), reason: "RESOURCE:PORTS" }];
    expect(lackedRoom(ports, instances, "hosts", { ...demand(64), ports: [22] })).toBe(false);
  });

  it("is not a constraint, an attribute or an agent failure, nor a full instance of another group", () => {
    const failures = [
      { arn: arn("a"), reason: "MemberOf placement constraint unsatisfied." },
      { arn: arn("a"), reason: "ATTRIBUTE" },
      { arn: arn("a"), reason: "AGENT" },
      { arn: arn("b"), reason: "RESOURCE:CPU" },
    ];
    expect(lackedRoom(failures, instances, "hosts", demand(512))).toBe(false);
  });

  it("is a group with no instance registered yet (it scales out from zero)", () => {
    expect(lackedRoom([], [instance("b", "other")], "hosts", demand(512))).toBe(true);
  });
});

describe("the no-room record", () => {
  it("counts while recent and made by a round that saw the group's latest registration", () => {
    const noRoom = nextNoRoom(undefined, { hosts: 2 }, 1_000, 500);
    expect(waitingOn(noRoom, "hosts", 1_000, 500)).toBe(2);
    expect(waitingOn(noRoom, "other", 1_000, 500)).toBe(0);
    // An instance registered since (even one stamped before the round began): the next round tries it first.
    expect(waitingOn(noRoom, "hosts", 2_000, 900)).toBe(0);
    expect(waitingOn(noRoom, "hosts", 1_000 + NO_ROOM_RECENT_MS, 500)).toBe(0);
  });

  it("keeps its time while it says the same, until half the window or a registration", () => {
    const first = nextNoRoom(undefined, { hosts: 1 }, 1_000, 0);
    expect(nextNoRoom(first, { hosts: 1 }, 2_000, 0)).toEqual({ hosts: { tasks: 1, atMs: 1_000, registeredMs: 0 } });
    expect(nextNoRoom(first, { hosts: 2 }, 2_000, 0)).toEqual({ hosts: { tasks: 2, atMs: 2_000, registeredMs: 0 } });
    expect(nextNoRoom(first, { hosts: 1 }, 2_000, 1_500)).toEqual({
      hosts: { tasks: 1, atMs: 2_000, registeredMs: 1_500 },
    });
    const later = 1_000 + NO_ROOM_RECENT_MS / 2;
    expect(nextNoRoom(first, { hosts: 1 }, later, 0)).toEqual({ hosts: { tasks: 1, atMs: later, registeredMs: 0 } });
    expect(nextNoRoom(first, {}, 2_000, 0)).toBeUndefined();
  });

  it("knows the latest registration", () => {
    expect(latestRegistration([])).toBe(0);
    expect(latestRegistration([instance("a", "hosts", 5), instance("b", "hosts", 9)])).toBe(9);
  });
});
