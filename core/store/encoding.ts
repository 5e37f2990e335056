import { fromEcsJson, toEcsJson } from "../model/json.ts";

/**
 * A record's data as every store keeps it: ECS JSON (timestamps as epoch seconds, decoded back
 * to Dates by the ECS model), without `version`, `expiresAt` (and an instance's `resourcesVersion` and `residentGroups`), which the stores keep beside it
 * (in the JSON, ECS's timestamp decoding would turn expiresAt into a Date).
 */
export function encodeRecord(record: object): string {
  const {
    version: _version,
    expiresAt: _expiresAt,
    resourcesVersion: _resourcesVersion,
    residentGroups: _residentGroups,
    ...data
  } = record as { version?: number; expiresAt?: number; resourcesVersion?: number; residentGroups?: unknown };
  return toEcsJson(data);
}

export function decodeRecord<T>(data: string, version: number, expiresAt: number | null | undefined): T {
  const expiry = expiresAt === null || expiresAt === undefined ? {} : { expiresAt };
  return { ...fromEcsJson<object>(data), ...expiry, version } as T;
}
