import type { CapacityProviderRecord } from "../../../model/records.ts";

/** Capacity providers: one item each, read by name; listed by name through `ordered`. */
export const capacityProviderKey = (name: string) => ({ pk: `CAPACITYPROVIDER#${name}`, sk: "CAPACITYPROVIDER" });

/** The `ordered` partition that holds every capacity provider. */
export const ALL_CAPACITY_PROVIDERS = "CAPACITYPROVIDERS";

export const capacityProviderAttributes = (r: Omit<CapacityProviderRecord, "version">) => ({
  ...capacityProviderKey(r.name),
  gsi1pk: ALL_CAPACITY_PROVIDERS,
  gsi1sk: r.name,
});
