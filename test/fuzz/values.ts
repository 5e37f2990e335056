import type { Model, Shape } from "../../core/protocol/model.ts";
import type { Random } from "./random.ts";

/**
 * Values that satisfy the ECS model's shapes (types, required members, enums, lengths, sizes,
 * bounds), the starting point the mutations then break in one or a few places: a request that is
 * valid but for one member reaches the code behind the validation, where a wrong value does harm.
 * Strings prefer references to what the test store holds (`plausible`, by member name), so that
 * actions find their cluster, task definition or task and go on to write.
 */
export interface Plausible {
  /** Strings for members whose name contains the key (lower case): `cluster` → ["default", …]. */
  byMember: Record<string, string[]>;
  /** Strings for any other string member. */
  any: string[];
}

/** How deep optional members are still filled in; beyond it only required ones are. */
const OPTIONAL_DEPTH = 4;

export function validValue(
  model: Model,
  shapeName: string,
  random: Random,
  plausible: Plausible,
  member = "",
  depth = 0,
): unknown {
  const shape = model.shapes[shapeName];
  switch (shape.type) {
    case "structure": {
      const value: Record<string, unknown> = {};
      const required = new Set(shape.required ?? []);
      const fillOptional = depth < OPTIONAL_DEPTH ? (depth === 0 ? 0.5 : 0.25) : 0;
      for (const [name, m] of Object.entries(shape.members ?? {})) {
        if (required.has(name) || random.chance(fillOptional)) {
          value[name] = validValue(model, m.shape, random, plausible, name, depth + 1);
        }
      }
      return value;
    }
    case "list": {
      const n = random.int(shape.min ?? 0, Math.min(shape.max ?? 3, (shape.min ?? 0) + 2));
      return Array.from({ length: n }, () =>
        validValue(model, shape.member?.shape ?? "", random, plausible, member, depth + 1),
      );
    }
    case "map": {
      const n = random.int(shape.min ?? 0, Math.min(shape.max ?? 2, (shape.min ?? 0) + 2));
      const value: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const key = validValue(model, shape.key?.shape ?? "", random, plausible, "key", depth + 1) as string;
        value[key] = validValue(model, shape.value?.shape ?? "", random, plausible, member, depth + 1);
      }
      return value;
    }
    case "string":
      return validString(shape, random, plausible, member);
    case "integer":
    case "long":
      return random.int(shape.min ?? 0, Math.min(shape.max ?? 4096, (shape.min ?? 0) + 4096));
    case "double":
      return random.next() * 100;
    case "boolean":
      return random.chance(0.5);
    case "timestamp":
      return 1_700_000_000 + random.int(0, 100_000_000);
  }
}

function validString(shape: Shape, random: Random, plausible: Plausible, member: string): string {
  if (shape.enum) return random.pick(shape.enum);
  const fits = (s: string) => s.length >= (shape.min ?? 0) && s.length <= (shape.max ?? Number.POSITIVE_INFINITY);
  const name = member.toLowerCase();
  const hinted = Object.entries(plausible.byMember).flatMap(([key, values]) => (name.includes(key) ? values : []));
  const candidates = [...(hinted.length > 0 ? hinted : plausible.any)].filter(fits);
  if (candidates.length > 0 && random.chance(0.8)) return random.pick(candidates);
  const length = random.int(shape.min ?? 0, Math.min(shape.max ?? 12, (shape.min ?? 0) + 12));
  return randomWord(random, Math.max(length, shape.min ?? 0));
}

const WORD = "abcdefghijklmnopqrstuvwxyz0123456789-_";
export const randomWord = (random: Random, length: number) =>
  Array.from({ length }, () => WORD[random.int(0, WORD.length - 1)]).join("");
