import { describe, expect, it } from "vitest";
import { checkedOverrides } from "../../../../core/actions/taskOverrides.ts";

describe("RunTask's overrides", () => {
  it("gives the task size in CPU units and MiB, as a registration's", () => {
    expect(checkedOverrides({ cpu: "1 vCPU", memory: "2 GB" })).toEqual({ cpu: "1024", memory: "2048" });
    expect(checkedOverrides({ containerOverrides: [{ name: "c", memory: 64 }] })).toEqual({
      containerOverrides: [{ name: "c", memory: 64 }],
    });
    expect(checkedOverrides(undefined)).toEqual({});
  });

  it("refuses a task size that is no size, as RegisterTaskDefinition does", () => {
    for (const overrides of [{ memory: "abc" }, { memory: "-9000" }, { cpu: "0x10" }, { cpu: "-5000" }]) {
      expect(() => checkedOverrides(overrides)).toThrow(/^Invalid '(cpu|memory)' setting for task\./);
    }
  });

  it("refuses a negative container size", () => {
    expect(() => checkedOverrides({ containerOverrides: [{ name: "c", memory: -100000 }] })).toThrow(
      "Invalid 'memory' setting for container 'c'.",
    );
    expect(() => checkedOverrides({ containerOverrides: [{ name: "c", cpu: -1 }] })).toThrow(
      "Invalid 'cpu' setting for container 'c'.",
    );
    expect(() => checkedOverrides({ containerOverrides: [{ name: "c", memoryReservation: 0 }] })).toThrow(
      "Invalid 'memoryReservation' setting for container 'c'.",
    );
  });
});
