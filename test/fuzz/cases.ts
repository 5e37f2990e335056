import { ecsModel } from "../../core/protocol/model.ts";
import { type MutationContext, mutate, unicodeString } from "./mutations.ts";
import { caseSeed, type Random, seeded } from "./random.ts";
import { type Plausible, validValue } from "./values.ts";

/** One request of the fuzzer: where it goes, its body as sent, and how it was made. */
export interface FuzzCase {
  target: string;
  body: string;
  notes: string[];
  /** Who signs it: the admin key, or a scoped one (whose authorization reads the request's resources). */
  key?: "admin" | "scoped";
}

export const ECS_PREFIX = ecsModel.metadata.targetPrefix;

/** Targets that name no action, or name what is not one (members of every object). */
const BOGUS_TARGETS = [
  "",
  ECS_PREFIX,
  `${ECS_PREFIX}.`,
  `${ECS_PREFIX}.__proto__`,
  `${ECS_PREFIX}.constructor`,
  `${ECS_PREFIX}.hasOwnProperty`,
  `${ECS_PREFIX}.runTask`,
  `${ECS_PREFIX}.RunTask.RunTask`,
  "AmazonEC2ContainerServiceV20141113RunTask",
  "Berth_20261124.toString",
  "DynamoDB_20120810.Scan",
  `${ECS_PREFIX}.\u{1F600}`,
];

/** Text-level breakage, after the body is serialized: what no JSON value can express. */
const TEXT_MUTATIONS: { name: string; apply: (body: string, random: Random) => string }[] = [
  { name: "truncated", apply: (b, r) => b.slice(0, r.int(0, Math.max(0, b.length - 1))) },
  { name: "trailing garbage", apply: (b, r) => b + r.pick(["}", "]", ",", "x", "{}", " null", "\u0000"]) },
  { name: "byte order mark", apply: (b) => `\ufeff${b}` },
  {
    name: "number literal out of range",
    apply: (b, r) => {
      const literal = r.pick(["1e400", "-1e400", "123456789012345678901234567890", "-0.0e-999", "1E+2"]);
      return /-?\d+(\.\d+)?/.test(b) ? b.replace(/-?\d+(\.\d+)?/, literal) : b.replace(/^\{/, `{"count":${literal},`);
    },
  },
  {
    name: "duplicate member",
    apply: (b, r) => b.replace(/^\{/, `{${r.pick(['"cluster":7,', '"cluster":"x",', '"a":1,'])}`),
  },
  {
    name: "invalid escape",
    apply: (b, r) => b.replace(/"([^"\\]*)"/, `"$1${r.pick(["\\x41", "\\uZZZZ", "\\u12", "\\", "\\'"])}"`),
  },
  {
    name: "lone surrogate escape",
    apply: (b, r) => b.replace(/"([^"\\]*)"/, `"$1${r.pick(["\\ud800", "\\udfff", "\\udc00\\ud800"])}"`),
  },
  {
    name: "not JSON",
    apply: (_b, r) =>
      r.pick(["{'a':1}", "{a:1}", "NaN", "Infinity", '{"a":NaN}', "{,}", "[}", "/* */{}", '{"a":1,}', "\u0000"]),
  },
  {
    name: "not an object",
    apply: (_b, r) => r.pick(["[]", "[{}]", "5", '"RunTask"', "null", "true", "  ", "\n", '""']),
  },
  {
    name: "deeply nested text",
    apply: (_b, r) => `${"[".repeat(r.pick([31, 32, 33, 10_000]))}${"]".repeat(r.pick([0, 33]))}`,
  },
];

export interface Targets {
  /** The ECS operations Berth answers (the model's others it refuses). */
  answered: string[];
  /** Berth's own actions, as X-Amz-Target values. */
  berth: string[];
}

/**
 * Case `index` of the run seeded `runSeed`: an action of the ECS model (supported by Berth or
 * not), one of Berth's own, or a bogus target; a valid body from the model, mutated zero to three
 * times, then sometimes broken as text.
 */
export function generateCase(runSeed: number, index: number, plausible: Plausible, targets: Targets): FuzzCase {
  const random = seeded(caseSeed(runSeed, index));
  const context: MutationContext = { model: ecsModel, plausible };
  const notes: string[] = [];
  const roll = random.next();
  let target: string;
  let inputShape: string | undefined;
  if (roll < 0.85) {
    // Mostly the actions Berth answers, whose code goes deeper than the refusal of the others.
    const unsupported = Object.keys(ecsModel.operations).filter((o) => !targets.answered.includes(o));
    const operation = random.pick(random.chance(0.85) ? targets.answered : unsupported);
    target = `${ECS_PREFIX}.${operation}`;
    inputShape = ecsModel.operations[operation].input;
  } else if (roll < 0.97) {
    target = random.pick(targets.berth);
  } else {
    target = random.pick(BOGUS_TARGETS);
  }
  let value: unknown = inputShape ? validValue(ecsModel, inputShape, random, plausible) : berthInput(random, plausible);
  if (inputShape) {
    const mutations = random.pick([0, 0, 1, 1, 1, 2, 3]);
    for (let i = 0; i < mutations; i++) {
      const result = mutate(random, context, inputShape, value);
      value = result.value;
      notes.push(result.note);
    }
  }
  let body = value === undefined ? "" : JSON.stringify(value);
  if (random.chance(0.12)) {
    const text = random.pick(TEXT_MUTATIONS);
    body = text.apply(body, random);
    notes.push(text.name);
  }
  return { target, body, notes, key: random.chance(0.15) ? "scoped" : "admin" };
}

/** Berth's actions have no botocore model: the members they take, with plausible or hostile values. */
function berthInput(random: Random, plausible: Plausible): Record<string, unknown> {
  const members = [
    "cluster",
    "containerInstance",
    "containerInstances",
    "task",
    "containers",
    "utilization",
    "policy",
    "accessKeyId",
    "description",
    "maxResults",
    "nextToken",
  ];
  const input: Record<string, unknown> = {};
  for (const name of members) {
    if (!random.chance(0.4)) continue;
    input[name] = random.pick([
      random.pick(plausible.byMember[name.toLowerCase()] ?? plausible.any),
      unicodeString(random, 6),
      random.int(-5, 200),
      [random.pick(plausible.any)],
      [{ containerName: "c", healthStatus: random.pick(["HEALTHY", "UNHEALTHY", "x"]) }],
      { cpuPercent: random.pick([0, 101, -1, 1e308]), memoryUsedMiB: 1, memoryTotalMiB: 2, tasks: [{}] },
      { kind: random.pick(["admin", "agent", "readOnly", "x"]), cluster: "default" },
      null,
      {},
    ]);
  }
  return input;
}
