import type { Model } from "../../core/protocol/model.ts";

/**
 * What is wrong with a successful answer by the operation's output shape in the ECS model, for
 * the fuzzer's second oracle: a request Berth accepted must not come back as something ECS could
 * never answer (a number where the model has a string, an Integer beyond 32 bits, a status outside
 * its enum), which is how accepted garbage shows. Only the wire's types are checked: lengths
 * and required members constrain requests, not answers. Members the model lacks are Berth's own.
 */
export function outputProblems(model: Model, operation: string, answer: unknown): string[] {
  const shapeName = model.operations[operation]?.output;
  const problems: string[] = [];
  if (shapeName) check(model, shapeName, answer, "", problems);
  return problems;
}

/** The range of the wire's integers: Integer is 32-bit, Long 64-bit (as far as a double tells). */
const RANGE = { integer: [-(2 ** 31), 2 ** 31 - 1], long: [-(2 ** 63), 2 ** 63 - 1] };

function check(model: Model, shapeName: string, value: unknown, path: string, problems: string[]): void {
  if (value === undefined || problems.length > 5) return;
  const shape = model.shapes[shapeName];
  const at = path || "(answer)";
  const wrong = (what: string) => problems.push(`${at}: ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  switch (shape.type) {
    case "structure":
      if (!isObject(value)) return void wrong("an object");
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        check(model, member.shape, value[name], path ? `${path}.${name}` : name, problems);
      }
      return;
    case "list":
      if (!Array.isArray(value)) return void wrong("a list");
      for (const [i, item] of value.entries()) check(model, shape.member?.shape ?? "", item, `${at}[${i}]`, problems);
      return;
    case "map":
      if (!isObject(value)) return void wrong("a map");
      for (const [k, v] of Object.entries(value)) check(model, shape.value?.shape ?? "", v, `${at}.${k}`, problems);
      return;
    case "string":
      if (typeof value !== "string") return void wrong("a string");
      if (shape.enum && !shape.enum.includes(value)) wrong(`one of ${shape.enum.join(", ")}`);
      return;
    case "integer":
    case "long":
      if (
        typeof value !== "number" ||
        !Number.isInteger(value) ||
        value < RANGE[shape.type][0] ||
        value > RANGE[shape.type][1]
      ) {
        wrong(`a ${shape.type === "integer" ? "32" : "64"}-bit integer`);
      }
      return;
    case "double":
      if (typeof value !== "number") wrong("a number");
      return;
    case "timestamp":
      if (typeof value !== "number" || !Number.isFinite(value)) wrong("epoch seconds");
      return;
    case "boolean":
      if (typeof value !== "boolean") wrong("a boolean");
      return;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
