import { invalidParameter, serialization } from "./errors.ts";
import { ecsModel, type Model } from "./model.ts";

/**
 * Check a request body against the operation's input shape in the ECS model, the way the AWS
 * JSON protocol does: a value of the wrong JSON type is a SerializationException; a missing
 * required member, a string out of its length bounds or outside its enum, or a list or map of
 * the wrong size is an InvalidParameterException. Unknown members are ignored and `null` counts
 * as absent, as on AWS.
 */
export function validateInput(operation: string, input: unknown, model: Model = ecsModel): void {
  const shapeName = model.operations[operation]?.input;
  if (!shapeName) return;
  check(model, shapeName, input, "");
}

function check(model: Model, shapeName: string, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const shape = model.shapes[shapeName];
  const at = path || "request";
  switch (shape.type) {
    case "structure": {
      if (!isObject(value)) throw wrongType.structure(at);
      for (const name of shape.required ?? []) {
        if (value[name] === null || value[name] === undefined) throw missingMember(join(path, name));
      }
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        check(model, member.shape, value[name], join(path, name));
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) throw wrongType.list(at);
      bounds(value.length, shape, value, path, "length");
      for (const [i, item] of value.entries()) check(model, shape.member?.shape ?? "", item, `${at}.${i + 1}.member`);
      return;
    }
    case "map": {
      if (!isObject(value)) throw serialization(`Expected a map at '${at}'.`);
      bounds(Object.keys(value).length, shape, value, path, "size");
      for (const [k, v] of Object.entries(value)) {
        check(model, shape.key?.shape ?? "", k, `${at}.key`);
        check(model, shape.value?.shape ?? "", v, `${at}.${k}`);
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") throw wrongType.string(at);
      if (shape.enum) inEnum(value, shape.enum, at, ECS_ENUM_WORDING[shapeName]);
      bounds(value.length, shape, value, path, "length");
      return;
    }
    case "integer":
    case "long":
      // The wire's Integer is 32-bit and Long 64-bit: a larger number is no Integer either.
      if (typeof value !== "number" || !Number.isInteger(value) || outOfRange(value, shape.type)) {
        throw serialization(`NUMBER_VALUE can not be converted to an Integer at '${at}'.`);
      }
      bounds(value, shape, value, path, "value");
      return;
    case "double":
      if (typeof value !== "number") throw wrongType.double(at);
      return;
    case "timestamp":
      // The decoder has already turned epoch seconds into Dates; anything else is not a timestamp,
      // nor is a number of seconds beyond what a Date holds (an Invalid Date).
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        throw serialization(`Expected a timestamp in epoch seconds at '${at}'.`);
      return;
    case "boolean":
      if (typeof value !== "boolean") throw serialization(`BOOLEAN_VALUE expected at '${at}'.`);
      return;
  }
}

/** The ranges of the wire's integer types (Long's as near as a double gets). */
const WIRE_RANGE = { integer: [-(2 ** 31), 2 ** 31 - 1], long: [-(2 ** 63), 2 ** 63 - 1] };
const outOfRange = (value: number, type: "integer" | "long") =>
  value < WIRE_RANGE[type][0] || value > WIRE_RANGE[type][1];

/** The errors of a value of the wrong JSON type, as the AWS JSON protocol reports them. */
export const wrongType = {
  structure: (at: string) => serialization(`Expected an object at '${at}'.`),
  list: (at: string) => serialization(`Expected a list at '${at}'.`),
  string: (at: string) => serialization(`STRING_VALUE expected at '${at}'.`),
  double: (at: string) => serialization(`NUMBER_VALUE expected at '${at}'.`),
};

/**
 * The enums whose refusal ECS words itself, "<what> should be one of [A,B]", rather than with the
 * generic validation message: the launch type (as moto reproduces ECS's RunTask answer) and the
 * `include` lists (ECS's own answer is quoted in hashicorp/terraform-provider-aws#23342: "include
 * should be one of [ATTACHMENTS,SETTINGS,STATISTICS,TAGS]"). Shape name → what ECS calls it.
 */
const ECS_ENUM_WORDING: Record<string, string> = {
  LaunchType: "launch type",
  CapacityProviderField: "include",
  ClusterField: "include",
  ContainerInstanceField: "include",
  ServiceField: "include",
  TaskDefinitionField: "include",
  TaskField: "include",
  TaskSetField: "include",
};

/**
 * A string outside its enum: InvalidParameterException, worded as ECS does when `wording` names
 * the value (ECS_ENUM_WORDING), else as AWS's generic validation does.
 */
export function inEnum(value: string, values: readonly string[], at: string, wording?: string): void {
  if (values.includes(value)) return;
  if (wording) throw invalidParameter(`${wording} should be one of [${values.join(",")}]`);
  throw invalidParameter(
    `1 validation error detected: Value '${value}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(", ")}]`,
  );
}

export const missingMember = (path: string) =>
  invalidParameter(
    `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
  );

/** A length, size or value outside the shape's min/max: InvalidParameterException, worded as AWS does. */
export function bounds(n: number, shape: { min?: number; max?: number }, value: unknown, path: string, what: string) {
  const tooSmall = shape.min !== undefined && n < shape.min;
  const tooLarge = shape.max !== undefined && n > shape.max;
  if (!tooSmall && !tooLarge) return;
  const limit = tooSmall ? `greater than or equal to ${shape.min}` : `less than or equal to ${shape.max}`;
  const shown = typeof value === "object" ? "" : ` '${value}'`;
  throw invalidParameter(
    `1 validation error detected: Value${shown} at '${path || "request"}' failed to satisfy constraint: Member must have ${what} ${limit}`,
  );
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
export const join = (path: string, name: string) => (path ? `${path}.${name}` : name);
