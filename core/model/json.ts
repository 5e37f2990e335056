import { autoScalingModel, cloudWatchModel, ecsModel, type Model } from "../protocol/model.ts";

/**
 * ECS's JSON carries timestamps as epoch seconds; in memory they are Dates (as the SDK types
 * have them). Which members are timestamps comes from the model, so no field list is kept here.
 * The store uses the same encoding, so a record reads back exactly as it was written.
 */
const timestampMembers = (model: Model) =>
  Object.values(model.shapes).flatMap((shape) =>
    Object.entries(shape.members ?? {})
      .filter(([, member]) => model.shapes[member.shape]?.type === "timestamp")
      .map(([name]) => name),
  );
/**
 * Application Auto Scaling's too (`StartTime`, `CreationTime`…): its API and the service records
 * that keep its shapes; and CloudWatch's alarms' (`StateUpdatedTimestamp`…), from the trimmed model.
 */
const TIMESTAMP_MEMBERS = new Set([
  ...timestampMembers(ecsModel),
  ...timestampMembers(autoScalingModel),
  ...timestampMembers(cloudWatchModel),
]);

export function toEcsJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, encoded) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : encoded;
  });
}

export function fromEcsJson<T = unknown>(text: string): T {
  // A walk after a plain parse: JSON.parse with a reviver is several times slower, and the store
  // decodes every container instance of a cluster on each placement.
  return revive(JSON.parse(text)) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
  } else if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    for (const key in object) {
      const member = object[key];
      if (typeof member === "number") {
        if (TIMESTAMP_MEMBERS.has(key)) object[key] = new Date(member * 1000);
      } else if (typeof member === "object" && member !== null) {
        object[key] = revive(member);
      }
    }
  }
  return value;
}
