import type { AuditEventRecord } from "../../../auth/records.ts";

/**
 * Audit events: one item each (written once, expired by TTL after the retention period), listed
 * newest first through one `ordered` partition; their ids sort by time.
 */
export const auditEventKey = (id: string) => ({ pk: `AUDIT#${id}`, sk: "AUDIT" });

export const ALL_AUDIT_EVENTS = "AUDIT";

export const auditEventAttributes = (r: Omit<AuditEventRecord, "version">) => ({
  ...auditEventKey(r.id),
  gsi1pk: ALL_AUDIT_EVENTS,
  gsi1sk: r.id,
});
