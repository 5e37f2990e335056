import type { RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import {
  incompatibilities,
  parseTaskCpu,
  parseTaskMemory,
  validateTaskDefinition,
} from "../../../../core/actions/taskDefinitionValidation.ts";

describe("task size", () => {
  it("reads CPU units and vCPUs as ECS does", () => {
    expect(parseTaskCpu("512")).toBe(512);
    expect(parseTaskCpu("1 vCPU")).toBe(1024);
    expect(parseTaskCpu("0.25 vcpu")).toBe(256);
    expect(parseTaskCpu("2vCPU")).toBe(2048);
    expect(parseTaskCpu("1 GB")).toBeUndefined();
    expect(parseTaskCpu("-1")).toBeUndefined();
  });

  it("reads MiB and GB as ECS does", () => {
    expect(parseTaskMemory("2048")).toBe(2048);
    expect(parseTaskMemory("2 GB")).toBe(2048);
    expect(parseTaskMemory("0.5GB")).toBe(512);
    expect(parseTaskMemory("1.5 gb")).toBe(1536);
    expect(parseTaskMemory("512 MB")).toBeUndefined();
  });

  it("returns the normalised size of a valid registration", () => {
    const size = validateTaskDefinition({
      family: "f",
      cpu: "0.5 vCPU",
      memory: "1 GB",
      containerDefinitions: [{ name: "a", image: "i" }],
    });
    expect(size).toEqual({ cpu: 512, memory: 1024 });
  });

  it("keeps EC2 task cpu within 128 and 196608 units", () => {
    const td = (cpu: string) => ({ family: "f", cpu, containerDefinitions: [{ name: "a", image: "i", memory: 8 }] });
    expect(() => validateTaskDefinition(td("64"))).toThrow("Invalid 'cpu' setting for task.");
    expect(() => validateTaskDefinition(td("200000"))).toThrow("Invalid 'cpu' setting for task.");
    expect(validateTaskDefinition(td("128")).cpu).toBe(128);
  });
});

describe("launch type compatibility", () => {
  const fargate = (cpu: number, memory: number) =>
    incompatibilities(
      { family: "f", networkMode: "awsvpc", containerDefinitions: [{ name: "a", image: "i" }] },
      { cpu, memory },
    ).FARGATE;

  it("follows Fargate's task size table", () => {
    expect(fargate(256, 512)).toBeUndefined();
    expect(fargate(256, 3072)).toContain("No Fargate configuration exists for given values: 256 CPU, 3072 memory");
    expect(fargate(512, 4096)).toBeUndefined();
    expect(fargate(1024, 1024)).toBeDefined();
    expect(fargate(2048, 16384)).toBeUndefined();
    expect(fargate(4096, 30720)).toBeUndefined();
    expect(fargate(4096, 31744)).toBeDefined();
    expect(fargate(8192, 20480)).toBeUndefined();
    expect(fargate(8192, 18432)).toBeDefined(); // 8 vCPU sizes go in 4 GB steps
    expect(fargate(16384, 122880)).toBeUndefined();
    expect(fargate(32768, 65536)).toBeDefined();
  });

  it("says why a task definition cannot run on Fargate or external instances", () => {
    const td: RegisterTaskDefinitionRequest = { family: "f", containerDefinitions: [] };
    expect(incompatibilities(td, { cpu: 256, memory: 512 })).toEqual({
      FARGATE: "Fargate only supports network mode ‘awsvpc’.",
    });
    const hostVolume = { ...td, networkMode: "awsvpc" as const, volumes: [{ name: "v", host: { sourcePath: "/x" } }] };
    expect(incompatibilities(hostVolume, { cpu: 256, memory: 512 })).toEqual({
      FARGATE: "Fargate compatible task definitions do not support sourcePath",
      EXTERNAL: "Tasks using the External launch type do not support network mode 'awsvpc'.",
    });
  });
});
