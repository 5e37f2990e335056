import type { Model, Shape } from "../../core/protocol/model.ts";
import type { Random } from "./random.ts";
import { type Plausible, randomWord, validValue } from "./values.ts";

/**
 * Model-aware mutations of a valid request: each breaks one member, found by walking the value
 * with its shape, in a way the model makes meaningful there (a bad enum where there is an enum, a
 * length out of range where there are bounds, a required member missing from a structure that
 * has one), and says what it did, for the failure's report.
 */
export type Path = (string | number)[];

interface Site {
  path: Path;
  shape: Shape;
  shapeName: string;
}

interface Mutation {
  name: string;
  /** How often it is chosen, against 1: more for those that make values the actions must check themselves. */
  weight?: number;
  /** Whether the mutation means something at this site. */
  applies(site: Site): boolean;
  /** The new value at the site (`undefined`: the member removed). */
  value(site: Site, random: Random, context: MutationContext, current: unknown): unknown;
}

export interface MutationContext {
  model: Model;
  plausible: Plausible;
}

/** Every member present in `value`, with its shape, the root included (a huge list's first items only). */
export function sitesOf(model: Model, shapeName: string, value: unknown, path: Path = [], sites: Site[] = []): Site[] {
  const shape = model.shapes[shapeName];
  sites.push({ path, shape, shapeName });
  if (value === null || typeof value !== "object") return sites;
  if (shape.type === "structure") {
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      const v = (value as Record<string, unknown>)[name];
      if (v !== undefined) sitesOf(model, member.shape, v, [...path, name], sites);
    }
  } else if (shape.type === "list" && Array.isArray(value)) {
    for (const [i, v] of value.slice(0, 10).entries())
      sitesOf(model, shape.member?.shape ?? "", v, [...path, i], sites);
  } else if (shape.type === "map") {
    for (const [k, v] of Object.entries(value).slice(0, 10))
      sitesOf(model, shape.value?.shape ?? "", v, [...path, k], sites);
  }
  return sites;
}

/** A string with the characters that break naive code: astral, combining, NUL, lone surrogates, controls. */
export function unicodeString(random: Random, length: number): string {
  const pieces = [
    "\u{1F600}",
    "\u{10FFFF}",
    "e\u0301",
    "\u0000",
    "\ud800",
    "\udfff",
    "\udc00\ud800",
    "\u202e",
    "\u200b",
    "\ufeff",
    "\n",
    "\t",
    '"',
    "\\",
    "/",
    ":",
    "#",
    "%00",
    "Ω",
    "日本",
    "a",
  ];
  let s = "";
  while (s.length < length) s += random.pick(pieces);
  return s;
}

const BOUNDARY_NUMBERS = [
  0, -0, -1, 1, 2147483647, 2147483648, -2147483648, -2147483649, 4294967296, 9007199254740991, 9007199254740992,
  -9007199254740992, 1e21, 1.5, -0.5, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 1e-7,
];

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

const MUTATIONS: Mutation[] = [
  {
    name: "wrong type",
    weight: 2,
    applies: () => true,
    value: (_site, random, _c, current) => {
      const others = [
        "text",
        "",
        42,
        -1.5,
        true,
        false,
        [],
        ["x"],
        [{}],
        {},
        { a: 1 },
        String(JSON.stringify(current)).slice(0, 50),
      ].filter((v) => typeOf(v) !== typeOf(current));
      return random.pick(others);
    },
  },
  {
    name: "length out of range",
    weight: 2,
    applies: ({ shape }) =>
      ["string", "list", "map"].includes(shape.type) &&
      (shape.min !== undefined || shape.max !== undefined || shape.type === "string"),
    value: ({ shape }, random, context) => {
      const tooShort = shape.min !== undefined && shape.min > 0 && random.chance(0.5);
      const length = tooShort ? (shape.min ?? 1) - 1 : (shape.max ?? random.pick([1000, 100_000])) + 1;
      if (length > 200_000) return undefined;
      if (shape.type === "string") return random.chance(0.3) ? unicodeString(random, length) : "x".repeat(length);
      const item = () =>
        validValue(
          context.model,
          (shape.type === "list" ? shape.member?.shape : shape.value?.shape) ?? "",
          random,
          context.plausible,
        );
      if (shape.type === "list") return Array.from({ length }, item);
      return Object.fromEntries(Array.from({ length }, (_, i) => [`k${i}`, item()]));
    },
  },
  {
    name: "bad enum",
    weight: 2,
    applies: ({ shape }) => Boolean(shape.enum),
    value: ({ shape }, random) => {
      const valid = random.pick(shape.enum ?? [""]);
      return random.pick([
        "",
        valid.toLowerCase(),
        ` ${valid}`,
        `${valid}\u0000`,
        valid.replace(/.$/, "\u{1F600}"),
        randomWord(random, 8),
        "__proto__",
      ]);
    },
  },
  {
    name: "integer out of bounds",
    weight: 3,
    applies: ({ shape }) =>
      (shape.type === "integer" || shape.type === "long") && (shape.min ?? shape.max) !== undefined,
    value: ({ shape }, random) =>
      shape.min !== undefined && (shape.max === undefined || random.chance(0.5)) ? shape.min - 1 : (shape.max ?? 0) + 1,
  },
  {
    name: "boundary number",
    weight: 3,
    applies: ({ shape }) => ["integer", "long", "double", "timestamp"].includes(shape.type),
    value: (_site, random) => random.pick(BOUNDARY_NUMBERS),
  },
  {
    name: "unicode",
    weight: 3,
    applies: ({ shape }) => shape.type === "string",
    value: ({ shape }, random) =>
      unicodeString(random, random.int(Math.max(1, shape.min ?? 1), Math.min(shape.max ?? 40, 40))),
  },
  {
    name: "huge list",
    applies: ({ shape }) => shape.type === "list",
    value: ({ shape }, random, context) => {
      const item = validValue(context.model, shape.member?.shape ?? "", random, context.plausible);
      return Array.from({ length: random.pick([1000, 10_000, 50_000]) }, () => item);
    },
  },
  {
    name: "missing required member",
    applies: ({ shape }) => (shape.required ?? []).length > 0,
    value: ({ shape }, random, _c, current) => {
      const copy = { ...(current as Record<string, unknown>) };
      const name = random.pick(shape.required ?? []);
      if (random.chance(0.7)) delete copy[name];
      else copy[name] = random.pick([null, ""]);
      return copy;
    },
  },
  {
    name: "unknown member",
    applies: ({ shape }) => shape.type === "structure",
    value: (_site, random, _c, current) => {
      const name = random.pick([
        "__proto__",
        "constructor",
        "toString",
        "hasOwnProperty",
        "valueOf",
        "unknownMember",
        "",
      ]);
      const value = random.pick([{ polluted: true }, "x", 1, null, [], { cluster: "other" }]);
      // A computed key is an own member, "__proto__" too (as JSON.parse makes it), not the prototype.
      return { ...(current as object), [name]: value };
    },
  },
  {
    name: "null",
    applies: ({ path }) => path.length > 0,
    value: () => null,
  },
  {
    name: "deep nesting",
    applies: () => true,
    value: (_site, random, _c, current) => {
      let value: unknown = current;
      const depth = random.pick([8, 30, 31, 40, 200]);
      for (let i = 0; i < depth; i++) value = random.chance(0.5) ? [value] : { a: value };
      return value;
    },
  },
  {
    name: "map keys",
    applies: ({ shape }) => shape.type === "map",
    value: (_site, random, _c, current) => ({
      ...(current as object),
      [random.pick(["", " ", "\u0000", "__proto__", "a".repeat(300), unicodeString(random, 5)])]: random.pick([
        "v",
        1,
        {},
      ]),
    }),
  },
];

/** Breaks the value at one random site with a mutation that applies there; returns the value and what was done. */
export function mutate(random: Random, context: MutationContext, shapeName: string, root: unknown) {
  const sites = sitesOf(context.model, shapeName, root);
  // The mutation first, then a site where it means something: a numeric member is rarer than a
  // null one, and its boundaries matter more.
  const weighted = MUTATIONS.flatMap((m) => Array(m.weight ?? 1).fill(m) as Mutation[]);
  let mutation = random.pick(weighted);
  let where = sites.filter((s) => mutation.applies(s));
  while (where.length === 0) {
    mutation = random.pick(weighted);
    where = sites.filter((s) => mutation.applies(s));
  }
  const site = random.pick(where);
  const value = mutation.value(site, random, context, getAt(root, site.path));
  return { value: setAt(root, site.path, value), note: `${mutation.name} at ${site.path.join(".") || "(request)"}` };
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown>)?.[key], root);
}

/** A copy of `root` with the value at `path` replaced (removed when `value` is undefined). */
function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>;
  const next = setAt(copy[key], rest, value);
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}
