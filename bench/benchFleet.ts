/**
 * The placement benchmarks' fleet: the same cluster, task definition and instances whether a
 * benchmark drives them through the HTTP API (placement.ts) or as core actions (runTaskFloor.ts),
 * so that their figures compare.
 */
import type { RegisterContainerInstanceRequest, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";

export const AZS = ["us-east-1a", "us-east-1b", "us-east-1c"];

export const benchTaskDefinition: RegisterTaskDefinitionRequest = {
  family: "bench",
  containerDefinitions: [{ name: "app", image: "berth-test/busybox:latest", cpu: 128, memory: 256 }],
};

/** The i-th instance: an m5.xlarge-sized host, the zones taken in turn. */
export const benchInstance = (i: number): RegisterContainerInstanceRequest => ({
  cluster: "bench",
  totalResources: [
    { name: "CPU", type: "INTEGER", integerValue: 4096 },
    { name: "MEMORY", type: "INTEGER", integerValue: 16384 },
    { name: "PORTS", type: "STRINGSET", stringSetValue: ["22", "2375", "2376", "51678", "51679"] },
    { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
  ],
  attributes: [
    { name: "ecs.availability-zone", value: AZS[i % AZS.length] },
    { name: "ecs.instance-type", value: "m5.xlarge" },
    { name: "ecs.os-type", value: "linux" },
  ],
});
