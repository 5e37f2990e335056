import type { Resource } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord } from "../../../../core/model/records.ts";
import type { Reservation } from "../../../../core/model/reservation.ts";
import { resourceList } from "../../../../core/model/resourceList.ts";
import {
  fits,
  releaseWrite,
  remaining,
  reregistrationWrite,
  reservationWrite,
  reserve,
} from "../../../../core/placement/capacity.ts";
import { afterWrite, leftOf } from "../../../../core/store/instanceResources.ts";

const SYSTEM_PORTS = [22, 2375, 2376, 51678, 51679];

/** An instance that registered 2048 CPU / 4096 MiB and its system ports, with some of it in use. */
function instance(left: {
  cpu: number;
  memory: number;
  ports?: number[];
  udpPorts?: number[];
}): ContainerInstanceRecord {
  return {
    cluster: "default",
    id: "i1",
    version: 7,
    instance: {
      containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/default/i1",
      registeredResources: resourceList({ cpu: 2048, memory: 4096, ports: SYSTEM_PORTS, udpPorts: [] }),
      remainingResources: [
        ...resourceList({
          cpu: left.cpu,
          memory: left.memory,
          ports: [...SYSTEM_PORTS, ...(left.ports ?? [])],
          udpPorts: left.udpPorts ?? [],
        }),
        { name: "GPU", type: "STRINGSET", stringSetValue: ["gpu0"] },
      ],
    },
  };
}

const demand = (d: Partial<Reservation>): Reservation => ({ cpu: 0, memory: 0, ports: [], udpPorts: [], ...d });

const resource = (record: ContainerInstanceRecord, name: string): Resource | undefined =>
  record.instance.remainingResources?.find((r) => r.name === name);

describe("fits", () => {
  const on = instance({ cpu: 1024, memory: 2048, ports: [80], udpPorts: [53] });
  // [what, demand, first failing reason]
  const cases: [string, Partial<Reservation>, string | undefined][] = [
    ["nothing", {}, undefined],
    ["exactly what is left", { cpu: 1024, memory: 2048 }, undefined],
    ["too much CPU", { cpu: 1025, memory: 10 }, "RESOURCE:CPU"],
    ["too much memory", { cpu: 10, memory: 2049 }, "RESOURCE:MEMORY"],
    ["CPU is checked before memory", { cpu: 4096, memory: 8192 }, "RESOURCE:CPU"],
    ["a free TCP port", { ports: [8080] }, undefined],
    ["a TCP port a task holds", { ports: [8080, 80] }, "RESOURCE:PORTS"],
    ["a port the instance reserves", { ports: [22] }, "RESOURCE:PORTS"],
    ["a dynamic port (0)", { ports: [0, 0] }, undefined],
    ["a UDP port a task holds", { udpPorts: [53] }, "RESOURCE:PORTS_UDP"],
    ["UDP 80 while TCP 80 is taken", { udpPorts: [80] }, undefined],
    ["memory is checked before ports", { memory: 4096, ports: [80] }, "RESOURCE:MEMORY"],
  ];
  it.each(cases)("%s → %s", (_what, d, reason) => {
    expect(fits(on, demand(d))).toBe(reason);
  });

  it("treats an instance without remainingResources as having nothing left", () => {
    const bare = { ...on, instance: {} };
    expect(fits(bare, demand({ cpu: 1 }))).toBe("RESOURCE:CPU");
    expect(fits(bare, demand({}))).toBeUndefined();
  });
});

describe("reserve and release", () => {
  it("takes CPU, memory and fixed host ports, and leaves the record it was given alone", () => {
    const before = instance({ cpu: 1024, memory: 2048 });
    const snapshot = structuredClone(before);
    const after = reserve(before, demand({ cpu: 256, memory: 512, ports: [80, 0], udpPorts: [53] }));
    expect(before).toEqual(snapshot);
    expect(remaining(after)).toEqual({
      cpu: 768,
      memory: 1536,
      ports: new Set([...SYSTEM_PORTS, 80]),
      udpPorts: new Set([53]),
    });
    expect(after.version).toBe(7);
    expect(resource(after, "CPU")).toEqual({
      name: "CPU",
      type: "INTEGER",
      integerValue: 768,
      doubleValue: 0,
      longValue: 0,
    });
    expect(resource(after, "PORTS")?.stringSetValue).toEqual(["22", "80", "2375", "2376", "51678", "51679"]);
    expect(resource(after, "GPU")).toEqual({ name: "GPU", type: "STRINGSET", stringSetValue: ["gpu0"] });
  });

  it("refuses to reserve what is not there", () => {
    expect(() => reserve(instance({ cpu: 100, memory: 100 }), demand({ memory: 200 }))).toThrow(/RESOURCE:MEMORY/);
  });

  it("gives back what a task held, and its group's count, through the store's delta", () => {
    const held = demand({ cpu: 256, memory: 512, ports: [80], udpPorts: [53] });
    const start = instance({ cpu: 1024, memory: 2048 });
    const taken = afterWrite(leftOf(start), reservationWrite(start, held, "family:web"));
    expect(taken).toEqual({ ...leftOf(reserve(start, held)), groups: { "family:web": 1 } });
    const read = { ...start, residentGroups: taken?.groups };
    const back = taken && afterWrite(taken, releaseWrite(read, held, "family:web"));
    expect(back).toEqual(leftOf(start));
  });

  it("takes a group's count back only when the instance as read counts it, and never below zero", () => {
    const start = instance({ cpu: 1024, memory: 2048 });
    expect(releaseWrite(start, demand({ memory: 1 }), "family:web").groups).toEqual({});
    expect(releaseWrite(start, demand({ memory: 1 }), undefined).groups).toEqual({});
    const uncounted = { ...releaseWrite(start, demand({ memory: 1 }), "family:web"), groups: { "family:web": -1 } };
    expect(afterWrite(leftOf(start), uncounted)).toBeUndefined();
  });

  it("reserves many tasks at once, and refuses what does not fit when the delta lands", () => {
    const start = instance({ cpu: 1024, memory: 2048 });
    expect(afterWrite(leftOf(start), reservationWrite(start, demand({ memory: 512 }), "g", 4))).toMatchObject({
      memory: 0,
    });
    expect(afterWrite(leftOf(start), reservationWrite(start, demand({ memory: 512 }), "g", 5))).toBeUndefined();
    expect(afterWrite(leftOf(start), reservationWrite(start, demand({ ports: [22] }), "g"))).toBeUndefined();
    expect(afterWrite(leftOf(start), reservationWrite(start, demand({ ports: [8080] }), "g"))).toBeDefined();
  });

  it("never frees the ports the instance reserves for itself", () => {
    const write = releaseWrite(
      instance({ cpu: 0, memory: 0 }),
      demand({ cpu: 256, memory: 512, ports: [22, 80, 0] }),
      undefined,
    );
    expect(write).toMatchObject({ cpu: 256, memory: 512, free: { ports: [80], udpPorts: [] }, reserve: false });
  });

  it("follows a re-registration by the difference of what the instance registers", () => {
    const record = instance({ cpu: 1024, memory: 2048 });
    const before = record.instance.registeredResources;
    const after = resourceList({ cpu: 4096, memory: 3072, ports: [22, 8022], udpPorts: [] });
    const write = reregistrationWrite(record, before, after);
    expect(write).toMatchObject({
      cpu: 2048,
      memory: -1024,
      take: { ports: [8022] },
      free: { ports: [2375, 2376, 51678, 51679] },
    });
    expect(afterWrite(leftOf(record), write)).toMatchObject({ cpu: 3072, memory: 1024, ports: [22, 8022] });
  });
});
