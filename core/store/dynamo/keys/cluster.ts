import type { ClusterRecord } from "../../../model/records.ts";

/** Clusters: one item each; listed by name through the `ordered` index. */
export const clusterKey = (name: string) => ({ pk: `CLUSTER#${name}`, sk: "CLUSTER" });

/** The `ordered` partition that holds every cluster. */
export const ALL_CLUSTERS = "CLUSTERS";

export const clusterAttributes = (r: Omit<ClusterRecord, "version">) => ({
  ...clusterKey(r.name),
  gsi1pk: ALL_CLUSTERS,
  gsi1sk: r.name,
});
