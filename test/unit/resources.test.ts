import type { Resource } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { fits, readResources, release, remaining, reserve, resourceList } from "../../core/placement/resources.ts";
import type { ContainerInstanceRecord, Reservation } from "../../core/store/records.ts";

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

  it("gives back what a task held", () => {
    const held = demand({ cpu: 256, memory: 512, ports: [80], udpPorts: [53] });
    const start = instance({ cpu: 1024, memory: 2048 });
    const back = release(reserve(start, held), held);
    expect(remaining(back)).toEqual(remaining(start));
  });

  it("never releases more than the instance registered, nor the ports it reserves for itself", () => {
    const back = release(instance({ cpu: 2000, memory: 4000 }), demand({ cpu: 256, memory: 512, ports: [22, 80] }));
    expect(remaining(back)).toMatchObject({ cpu: 2048, memory: 4096, ports: new Set(SYSTEM_PORTS) });
  });

  it("adds missing resource entries instead of dropping the reservation", () => {
    const bare: ContainerInstanceRecord = { cluster: "default", id: "i2", version: 1, instance: {} };
    const back = release(bare, demand({ cpu: 10, memory: 20 }));
    expect(readResources(back.instance.remainingResources)).toMatchObject({ cpu: 10, memory: 20 });
  });
});
