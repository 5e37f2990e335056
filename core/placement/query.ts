/**
 * The ECS cluster query language, as used by `memberOf` placement constraints and the `filter` of
 * ListContainerInstances. A small tokenizer and a recursive-descent parser compile an expression
 * once into a predicate over a Candidate (an instance with its tasks).
 *
 *   expression := or
 *   or         := and (("or" | "||") and)*
 *   and        := unary (("and" | "&&") unary)*
 *   unary      := ("not" | "!") unary | "(" or ")" | comparison
 *   comparison := subject operator [argument]
 *   argument   := value | "[" [value ("," value)*] "]"
 *   value      := bare word | 'single quoted' | "double quoted"
 *
 * Semantics, from the ECS developer guide ("Cluster query language") where it speaks:
 * - Subjects: `agentConnected`, `agentVersion`, `attribute:<name>`, `ec2InstanceId`, `registeredAt`,
 *   `runningTasksCount`, `task:group`. Each built-in subject takes only the operators the guide lists
 *   for it (e.g. no `>` on agentConnected); `attribute:` takes all of them.
 * - `=~`/`matches` take a Java-style regular expression that must match the whole value
 *   (`attribute:ecs.instance-type =~ t2.*`).
 * - `registeredAt` accepts 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28 and
 *   2018-06-18 (UTC unless an offset is given).
 * - A comparison on something the instance does not have is false, whatever the operator, except
 *   `!exists`: the guide's `attribute:stack != prod` lists the instances that have `stack` but not
 *   the value `prod`. Use `not(...)` or `!exists` to select instances lacking something.
 * Where the guide is silent (our choices):
 * - `task:group` is a set (one group per task on the instance): a comparison holds when some task's
 *   group satisfies it (`task:group == databases`: the instance runs a `databases` task);
 *   `exists` means some task has a group. Anti-affinity is `not(task:group == databases)`.
 * - A `registeredAt` argument stands for the whole span its precision names: `registeredAt ==
 *   2018-02-13` is true all that day, `< 2018-02-13` is before it, `> 2018-02-13` after it.
 * - Ordering operators on attributes compare numbers when both sides are numbers, else strings.
 * - Keywords (`and`, `or`, `not`, operator words) are case-insensitive; subjects are not.
 */

import { invalidParameter } from "../protocol/errors.ts";
import { attributeNamed } from "./attributes.ts";
import type { Candidate } from "./types.ts";

/** ECS's limit on a constraint expression. */
export const MAX_EXPRESSION_LENGTH = 2000;

export type Predicate = (subject: Candidate) => boolean;

/** Compiles a cluster query expression; throws InvalidParameterException when it is malformed. */
export function compileQuery(expression: string): Predicate {
  if (typeof expression !== "string" || expression.trim() === "") {
    throw invalidParameter("Invalid cluster query expression: the expression is empty.");
  }
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw invalidParameter(
      `Invalid cluster query expression: it is ${expression.length} characters long, the maximum is ${MAX_EXPRESSION_LENGTH}.`,
    );
  }
  const parser = new Parser(tokenize(expression));
  const predicate = parser.expression();
  parser.end();
  return predicate;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type TokenKind = "word" | "string" | "op" | "(" | ")" | "[" | "]" | "," | "!" | "&&" | "||" | "end";

interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column in the expression, for messages. */
  at: number;
}

function fail(problem: string, at: number): never {
  throw invalidParameter(`Invalid cluster query expression: ${problem} at position ${at}.`);
}

/** Characters that end a bare word: space, punctuation and the first characters of operators. */
const WORD_END = /[\s()[\],'"&|=!<>~]/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, text: string, start: number) => tokens.push({ kind, text, at: start + 1 });
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    const start = i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === "[" || c === "]" || c === ",") {
      push(c, c, start);
      i++;
    } else if (c === "'" || c === '"') {
      let text = "";
      i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === "\\" && i + 1 < source.length) i++;
        text += source[i++];
      }
      if (i >= source.length) fail(`unterminated string starting with ${c}`, start + 1);
      i++;
      push("string", text, start);
    } else if (c === "&" || c === "|") {
      if (next !== c) fail(`unexpected '${c}' (did you mean '${c}${c}'?)`, start + 1);
      push(c === "&" ? "&&" : "||", c + c, start);
      i += 2;
    } else if (c === "=") {
      if (next !== "=" && next !== "~") fail("unexpected '=' (did you mean '=='?)", start + 1);
      push("op", c + next, start);
      i += 2;
    } else if (c === "!") {
      // `!=`, `!~`, `!exists`, `!in` are operators; any other `!` is logical not.
      const word = /^!(exists|in)(?![A-Za-z0-9_])/i.exec(source.slice(i));
      if (next === "=" || next === "~") {
        push("op", c + next, start);
        i += 2;
      } else if (word) {
        push("op", word[0], start);
        i += word[0].length;
      } else {
        push("!", c, start);
        i++;
      }
    } else if (c === "<" || c === ">") {
      const op = next === "=" ? c + next : c;
      push("op", op, start);
      i += op.length;
    } else if (c === "~") {
      fail("unexpected '~' (did you mean '=~' or '!~'?)", start + 1);
    } else {
      while (i < source.length && !WORD_END.test(source[i])) i++;
      push("word", source.slice(start, i), start);
    }
  }
  tokens.push({ kind: "end", text: "end of expression", at: source.length + 1 });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Operators and subjects

type Op =
  | "eq"
  | "ne"
  | "gt"
  | "ge"
  | "lt"
  | "le"
  | "exists"
  | "not_exists"
  | "in"
  | "not_in"
  | "matches"
  | "not_matches";

const OPERATORS: Record<string, Op> = {
  "==": "eq",
  equals: "eq",
  "!=": "ne",
  not_equals: "ne",
  ">": "gt",
  greater_than: "gt",
  ">=": "ge",
  greater_than_equal: "ge",
  "<": "lt",
  less_than: "lt",
  "<=": "le",
  less_than_equal: "le",
  exists: "exists",
  "!exists": "not_exists",
  not_exists: "not_exists",
  in: "in",
  "!in": "not_in",
  not_in: "not_in",
  "=~": "matches",
  matches: "matches",
  "!~": "not_matches",
  not_matches: "not_matches",
};

const SPELLING: Record<Op, string> = {
  eq: "==",
  ne: "!=",
  gt: ">",
  ge: ">=",
  lt: "<",
  le: "<=",
  exists: "exists",
  not_exists: "!exists",
  in: "in",
  not_in: "!in",
  matches: "=~",
  not_matches: "!~",
};

const ORDERING: Op[] = ["eq", "ne", "gt", "ge", "lt", "le"];
const MEMBERSHIP: Op[] = ["eq", "ne", "in", "not_in", "matches", "not_matches"];
const ALL = Object.keys(SPELLING) as Op[];

/** How a subject reads its value(s) from a candidate, and which operators the ECS guide allows on it. */
interface Subject {
  name: string;
  ops: Op[];
  kind: "string" | "number" | "version" | "date" | "attribute";
  /** The subject's values on a candidate: none when it lacks it, several for task:group. */
  values: (c: Candidate) => string[];
}

const one = (value: string | undefined): string[] => (value === undefined ? [] : [value]);

const FIXED_SUBJECTS: Record<string, Omit<Subject, "name">> = {
  agentConnected: {
    ops: MEMBERSHIP,
    kind: "string",
    values: (c) => [String(c.record.instance.agentConnected === true)],
  },
  agentVersion: {
    ops: ORDERING,
    kind: "version",
    values: (c) => one(c.record.instance.versionInfo?.agentVersion),
  },
  ec2InstanceId: { ops: MEMBERSHIP, kind: "string", values: (c) => one(c.record.instance.ec2InstanceId) },
  registeredAt: {
    ops: ORDERING,
    kind: "date",
    values: (c) => {
      const at = instant(c.record.instance.registeredAt);
      return at === undefined ? [] : [String(at)];
    },
  },
  runningTasksCount: { ops: ORDERING, kind: "number", values: (c) => [String(runningTasks(c))] },
  "task:group": {
    ops: ALL.filter((op) => !["gt", "ge", "lt", "le"].includes(op)),
    kind: "string",
    values: (c) => c.tasks.flatMap((t) => one(t.group)),
  },
};

function subjectFor(token: Token): Subject {
  if (token.kind !== "word") fail(`expected a subject but found '${token.text}'`, token.at);
  const text = token.text;
  if (text.startsWith("attribute:")) {
    const name = text.slice("attribute:".length);
    if (name === "") fail("'attribute:' needs an attribute name", token.at);
    return {
      name: text,
      ops: ALL,
      kind: "attribute",
      values: (c) => {
        const found = attributeNamed(c.record.instance.attributes, name);
        return found ? [found.value ?? ""] : [];
      },
    };
  }
  const fixed = FIXED_SUBJECTS[text];
  if (!fixed) {
    fail(
      `unknown subject '${text}' (valid subjects: attribute:<name>, ${Object.keys(FIXED_SUBJECTS).join(", ")})`,
      token.at,
    );
  }
  return { name: text, ...fixed };
}

function runningTasks(c: Candidate): number {
  const counted = c.record.instance.runningTasksCount;
  if (typeof counted === "number") return counted;
  return c.tasks.filter((t) => (t.lastStatus ?? "RUNNING") === "RUNNING").length;
}

/** registeredAt as stored: a Date, epoch seconds (the wire form) or milliseconds, or an ISO string. */
function instant(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value < 1e11 ? value * 1000 : value;
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Values

/** A date argument: the span [from, to) its precision names. */
interface Span {
  from: number;
  to: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?)?$/;

function dateSpan(text: string, at: number): Span {
  const m = DATE.exec(text);
  if (!m) {
    fail(
      `'${text}' is not a valid date (use 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28 or 2018-06-18)`,
      at,
    );
  }
  const [, y, mo, d, h, mi, s, fraction, zone] = m as RegExpExecArray;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)] as const;
  const utc = Date.UTC(...fields);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] ||
    check.getUTCDate() !== fields[2] ||
    fields[3] > 23 ||
    fields[4] > 59 ||
    fields[5] > 59
  ) {
    fail(`'${text}' is not a valid date`, at);
  }
  let offset = 0;
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const millis = fraction ? Math.floor(Number(fraction) * 1000) : 0;
  const from = utc - offset + millis;
  const width = h === undefined ? 86_400_000 : fraction ? 1 : 1000;
  return { from, to: from + width };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function compareVersions(a: string, b: string): number {
  const split = (v: string) => v.replace(/^v/i, "").split(/[.-]/);
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? "0";
    const q = y[i] ?? "0";
    const diff = NUMBER.test(p) && NUMBER.test(q) ? Number(p) - Number(q) : p < q ? -1 : p > q ? 1 : 0;
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

function compareAttribute(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compiles `subject op argument` into a test of one value of the subject (not exists/!exists). */
function comparison(subject: Subject, op: Op, args: Token[], opToken: Token): (value: string) => boolean {
  const first = args[0];
  switch (op) {
    case "in":
    case "not_in": {
      const set = new Set(args.map((a) => a.text));
      return op === "in" ? (value) => set.has(value) : (value) => !set.has(value);
    }
    case "matches":
    case "not_matches": {
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${first.text})$`);
      } catch (error) {
        return fail(`'${first.text}' is not a valid regular expression (${(error as Error).message})`, first.at);
      }
      return op === "matches" ? (value) => pattern.test(value) : (value) => !pattern.test(value);
    }
  }
  // eq, ne and the ordering operators.
  switch (subject.kind) {
    case "date": {
      const span = dateSpan(first.text, first.at);
      const test: Record<string, (t: number) => boolean> = {
        eq: (t) => t >= span.from && t < span.to,
        ne: (t) => t < span.from || t >= span.to,
        gt: (t) => t >= span.to,
        ge: (t) => t >= span.from,
        lt: (t) => t < span.from,
        le: (t) => t < span.to,
      };
      const check = test[op];
      return (value) => check(Number(value));
    }
    case "number": {
      if (!NUMBER.test(first.text)) fail(`${subject.name} compares with a number, not '${first.text}'`, first.at);
      return ordered(op, (value) => Math.sign(Number(value) - Number(first.text)));
    }
    case "version":
      if (!/^v?\d+(\.\d+)*([.-][A-Za-z0-9]+)*$/i.test(first.text)) {
        fail(`${subject.name} compares with a version such as 1.14.5, not '${first.text}'`, first.at);
      }
      return ordered(op, (value) => compareVersions(value, first.text));
    case "attribute":
      return ordered(op, (value) => compareAttribute(value, first.text));
    default:
      if (op !== "eq" && op !== "ne") fail(`'${opToken.text}' cannot be used with ${subject.name}`, opToken.at);
      return ordered(op, (value) => (value === first.text ? 0 : 1));
  }
}

function ordered(op: Op, compare: (value: string) => number): (value: string) => boolean {
  switch (op) {
    case "eq":
      return (v) => compare(v) === 0;
    case "ne":
      return (v) => compare(v) !== 0;
    case "gt":
      return (v) => compare(v) > 0;
    case "ge":
      return (v) => compare(v) >= 0;
    case "lt":
      return (v) => compare(v) < 0;
    default:
      return (v) => compare(v) <= 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Parser: each method consumes tokens and returns the compiled predicate for what it read.

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private take(): Token {
    return this.tokens[this.i++];
  }

  private keyword(token: Token, ...words: string[]): boolean {
    return token.kind === "word" && words.includes(token.text.toLowerCase());
  }

  end(): void {
    const token = this.peek();
    if (token.kind !== "end") {
      const hint = token.kind === "word" ? " (quote values that contain spaces)" : "";
      fail(`unexpected '${token.text}'${hint}`, token.at);
    }
  }

  expression(): Predicate {
    const terms = [this.conjunction()];
    while (this.peek().kind === "||" || this.keyword(this.peek(), "or")) {
      this.take();
      terms.push(this.conjunction());
    }
    return terms.length === 1 ? terms[0] : (c) => terms.some((term) => term(c));
  }

  private conjunction(): Predicate {
    const factors = [this.unary()];
    while (this.peek().kind === "&&" || this.keyword(this.peek(), "and")) {
      this.take();
      factors.push(this.unary());
    }
    return factors.length === 1 ? factors[0] : (c) => factors.every((factor) => factor(c));
  }

  private unary(): Predicate {
    const token = this.peek();
    if (token.kind === "!" || this.keyword(token, "not")) {
      this.take();
      const inner = this.unary();
      return (c) => !inner(c);
    }
    if (token.kind === "(") {
      this.take();
      const inner = this.expression();
      const close = this.take();
      if (close.kind !== ")") fail(`expected ')' but found '${close.text}'`, close.at);
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Predicate {
    const subjectToken = this.take();
    const subject = subjectFor(subjectToken);
    const opToken = this.take();
    const op = opToken.kind === "op" || opToken.kind === "word" ? OPERATORS[opToken.text.toLowerCase()] : undefined;
    if (!op) fail(`expected an operator after '${subject.name}' but found '${opToken.text}'`, opToken.at);
    const operator = op as Op;
    if (!subject.ops.includes(operator)) {
      fail(
        `'${opToken.text}' cannot be used with ${subject.name} (valid operators: ${subject.ops.map((o) => SPELLING[o]).join(", ")})`,
        opToken.at,
      );
    }
    const args = this.argument(operator, opToken);
    const values = subject.values;
    if (operator === "exists") return (c) => values(c).length > 0;
    if (operator === "not_exists") return (c) => values(c).length === 0;
    // Every other operator, negative ones included, needs a value to compare: a subject the instance
    // lacks makes it false (see the module comment); task:group holds when one of its values does.
    const test = comparison(subject, operator, args, opToken);
    return (c) => values(c).some(test);
  }

  private argument(op: Op, opToken: Token): Token[] {
    if (op === "exists" || op === "not_exists") return [];
    if (op === "in" || op === "not_in") {
      const open = this.take();
      if (open.kind !== "[") fail(`'${opToken.text}' expects a list such as [a, b] but found '${open.text}'`, open.at);
      const list: Token[] = [];
      if (this.peek().kind === "]") {
        this.take();
        return list;
      }
      for (;;) {
        list.push(this.value());
        const next = this.take();
        if (next.kind === "]") return list;
        if (next.kind !== ",") fail(`expected ',' or ']' but found '${next.text}'`, next.at);
      }
    }
    return [this.value()];
  }

  private value(): Token {
    const token = this.take();
    if (token.kind === "word" || token.kind === "string") return token;
    if (token.kind === "[") fail("a list is only valid after 'in' or '!in'", token.at);
    return fail(`expected a value but found '${token.text}'`, token.at);
  }
}
