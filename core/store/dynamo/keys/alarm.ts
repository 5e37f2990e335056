import type { AlarmRecord } from "../../../model/records.ts";

/** Metric alarms: one item each, read by name; listed by name through `ordered`, by the service they watch through `byStatus`. */
export const alarmKey = (name: string) => ({ pk: `ALARM#${name}`, sk: "ALARM" });

/** The `ordered` partition that holds every alarm. */
export const ALL_ALARMS = "ALARMS";

/** The `byStatus` partition of the alarms on one service's metrics. */
export const alarmsOfService = (cluster: string, service: string) => `ALARMS#${cluster}#${service}`;

export const alarmAttributes = (r: Omit<AlarmRecord, "version">) => ({
  ...alarmKey(r.name),
  gsi1pk: ALL_ALARMS,
  gsi1sk: r.name,
  gsi2pk: alarmsOfService(r.cluster, r.service),
  gsi2sk: r.name,
});
