import type { TaskOverride } from "@aws-sdk/client-ecs";
import { clientException } from "../protocol/errors.ts";
import { taskSize } from "./taskDefinitionValidation.ts";

/**
 * RunTask's and StartTask's overrides, checked as a registration's sizes are (in the same words),
 * with the task's cpu and memory in CPU units and MiB as its reservation reads them ("1 vCPU" →
 * "1024"). Unchecked, a size that is no number reserved NaN (every commit of it failed: a 500),
 * and a negative one gave its instance back resources it never had.
 */
export function checkedOverrides(overrides: TaskOverride = {}): TaskOverride {
  for (const o of overrides.containerOverrides ?? []) {
    const invalid = (setting: string) => clientException(`Invalid '${setting}' setting for container '${o.name}'.`);
    if (o.cpu !== undefined && o.cpu < 0) throw invalid("cpu");
    if (o.memory !== undefined && o.memory < 1) throw invalid("memory");
    if (o.memoryReservation !== undefined && o.memoryReservation < 1) throw invalid("memoryReservation");
  }
  const { cpu, memory } = taskSize(overrides);
  return {
    ...overrides,
    ...(cpu !== undefined && { cpu: String(cpu) }),
    ...(memory !== undefined && { memory: String(memory) }),
  };
}
