import type { AccessKeyRecord } from "../../../auth/records.ts";

/** Access keys: one item each, read by id on every request; listed by id through `ordered`. */
export const accessKeyKey = (accessKeyId: string) => ({ pk: `ACCESSKEY#${accessKeyId}`, sk: "ACCESSKEY" });

/** The `ordered` partition that holds every access key. */
export const ALL_ACCESS_KEYS = "ACCESSKEYS";

export const accessKeyAttributes = (r: Omit<AccessKeyRecord, "version">) => ({
  ...accessKeyKey(r.accessKeyId),
  gsi1pk: ALL_ACCESS_KEYS,
  gsi1sk: r.accessKeyId,
});
