import type { Resource } from "@aws-sdk/client-ecs";
import type { Store } from "../../core/store/port.ts";

/**
 * What must hold of the store whatever was asked of it, checked after each request the fuzzer got
 * accepted: no container instance has more CPU or memory left than it registered, or less than
 * none (a reservation of a negative or non-numeric size breaks one or the other).
 */
export async function invariantProblems(store: Store): Promise<string[]> {
  const problems: string[] = [];
  const clusters = (await store.listClusters({ limit: 1000 })).items;
  for (const cluster of clusters) {
    for (const { id, instance } of await store.listContainerInstances(cluster.name)) {
      for (const name of ["CPU", "MEMORY"]) {
        const registered = amount(instance.registeredResources, name);
        const left = amount(instance.remainingResources, name);
        if (!(left >= 0 && left <= registered)) {
          problems.push(`instance ${cluster.name}/${id} has ${left} ${name} left of ${registered} registered`);
        }
      }
    }
  }
  return problems;
}

const amount = (resources: Resource[] | undefined, name: string) =>
  resources?.find((r) => r.name === name)?.integerValue ?? Number.NaN;
