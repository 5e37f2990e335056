import { describe, expect, it } from "vitest";
import { reservationOf } from "../../../../core/model/reservation.ts";

describe("reservationOf", () => {
  const definition = {
    containerDefinitions: [
      {
        name: "app",
        cpu: 256,
        memory: 512,
        memoryReservation: 128,
        portMappings: [{ containerPort: 80, hostPort: 8080 }],
      },
      {
        name: "dns",
        cpu: 0,
        memory: 64,
        portMappings: [{ containerPort: 53, hostPort: 53, protocol: "udp" as const }],
      },
      { name: "dynamic", memory: 32, portMappings: [{ containerPort: 9000, hostPort: 0 }, { containerPort: 9001 }] },
    ],
  };

  it("sums container cpu and soft memory limits, and keeps fixed host ports by protocol", () => {
    expect(reservationOf(definition)).toEqual({ cpu: 256, memory: 128 + 64 + 32, ports: [8080], udpPorts: [53] });
  });

  it("uses task-level cpu and memory when the task definition sets them", () => {
    expect(reservationOf({ ...definition, cpu: "1024", memory: "2048" })).toMatchObject({ cpu: 1024, memory: 2048 });
  });

  it("applies RunTask overrides", () => {
    const overrides = { containerOverrides: [{ name: "app", memoryReservation: 1000, cpu: 10 }] };
    expect(reservationOf(definition, overrides)).toMatchObject({ cpu: 10, memory: 1000 + 64 + 32 });
    expect(reservationOf(definition, { memory: "4096" })).toMatchObject({ memory: 4096 });
  });

  it("reserves no host ports in awsvpc mode", () => {
    expect(reservationOf({ ...definition, networkMode: "awsvpc" })).toMatchObject({ ports: [], udpPorts: [] });
  });
});
