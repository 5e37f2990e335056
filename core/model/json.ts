import { ecsModel } from "../protocol/model.ts";

/**
 * ECS's JSON carries timestamps as epoch seconds; in memory they are Dates (as the SDK types
 * have them). Which members are timestamps comes from the model, so no field list is kept here.
 * The store uses the same encoding, so a record reads back exactly as it was written.
 */
const TIMESTAMP_MEMBERS = new Set(
  Object.values(ecsModel.shapes).flatMap((shape) =>
    Object.entries(shape.members ?? {})
      .filter(([, member]) => ecsModel.shapes[member.shape]?.type === "timestamp")
      .map(([name]) => name),
  ),
);

export function toEcsJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, encoded) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : encoded;
  });
}

export function fromEcsJson<T = unknown>(text: string): T {
  return JSON.parse(text, (key, value) =>
    TIMESTAMP_MEMBERS.has(key) && typeof value === "number" ? new Date(value * 1000) : value,
  ) as T;
}
