import type { ServiceRecord } from "../../../model/records.ts";

/**
 * Services: a cluster's share a partition, sorted by name (ListServices' order). Live ones
 * (ACTIVE or DRAINING) also sit in one `byStatus` partition across clusters, which the
 * scheduler's periodic sweep reads; an INACTIVE service leaves it (a sparse index).
 */
export const servicesOf = (cluster: string) => `SERVICES#${cluster}`;

export const serviceKey = (cluster: string, name: string) => ({ pk: servicesOf(cluster), sk: name });

export const LIVE_SERVICES = "SERVICES#LIVE";

export const serviceAttributes = (r: Omit<ServiceRecord, "version">) => {
  const status = r.service.status ?? "ACTIVE";
  return {
    ...serviceKey(r.cluster, r.name),
    status,
    ...(status !== "INACTIVE" && { gsi2pk: LIVE_SERVICES, gsi2sk: `${r.cluster}/${r.name}` }),
  };
};
