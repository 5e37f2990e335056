import { describe, expect, it } from "vitest";
import { compileQuery } from "../../../../core/placement/query.ts";
import type { Candidate } from "../../../../core/placement/types.ts";
import { EcsError } from "../../../../core/protocol/errors.ts";

interface Spec {
  attributes?: Record<string, string | undefined>;
  groups?: string[];
  agentConnected?: boolean;
  agentVersion?: string;
  ec2InstanceId?: string;
  registeredAt?: Date | number | string;
  running?: number;
}

function subject(spec: Spec = {}): Candidate {
  return {
    record: {
      cluster: "default",
      id: "0123456789abcdef",
      version: 1,
      instance: {
        containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/default/0123456789abcdef",
        status: "ACTIVE",
        agentConnected: spec.agentConnected ?? true,
        versionInfo: spec.agentVersion ? { agentVersion: spec.agentVersion } : undefined,
        ec2InstanceId: spec.ec2InstanceId,
        registeredAt: spec.registeredAt as Date | undefined,
        runningTasksCount: spec.running,
        attributes: Object.entries(spec.attributes ?? {}).map(([name, value]) => ({ name, value })),
      },
    },
    tasks: (spec.groups ?? []).map((group) => ({ group, lastStatus: "RUNNING" })),
  };
}

const t2 = { attributes: { "ecs.instance-type": "t2.micro", "ecs.availability-zone": "us-east-1a" } };
const m5 = { attributes: { "ecs.instance-type": "m5.large", "ecs.availability-zone": "us-east-1d" } };
const g2d = { attributes: { "ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1d" } };
const g2b = { attributes: { "ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1b" } };

describe("cluster query language", () => {
  // [expression, instance, expected]
  const cases: [string, Spec, boolean][] = [
    // The developer guide's examples.
    ["attribute:ecs.instance-type == t2.small", { attributes: { "ecs.instance-type": "t2.small" } }, true],
    ["attribute:ecs.instance-type == t2.small", t2, false],
    ["attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", t2, true],
    ["attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", m5, false],
    ["attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", g2b, true],
    ["attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", g2d, false],
    ["attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", t2, false],
    ["task:group == service:production", { groups: ["service:production"] }, true],
    ["task:group == service:production", { groups: ["family:batch"] }, false],
    ["not(task:group == database)", { groups: ["family:web"] }, true],
    ["not(task:group == database)", { groups: ["family:web", "database"] }, false],
    ["not(task:group == database)", {}, true],
    ["runningTasksCount == 1", { running: 1 }, true],
    ["runningTasksCount == 1", { running: 2 }, false],
    ["runningTasksCount == 1", { groups: ["a"] }, true],
    ["agentVersion < 1.14.5", { agentVersion: "1.14.4" }, true],
    ["agentVersion < 1.14.5", { agentVersion: "1.9.0" }, true],
    ["agentVersion < 1.14.5", { agentVersion: "1.20.0" }, false],
    ["agentVersion >= 1.14.5", { agentVersion: "1.14.5" }, true],
    ["registeredAt < 2018-02-13", { registeredAt: new Date("2018-02-12T23:59:59Z") }, true],
    ["registeredAt < 2018-02-13", { registeredAt: new Date("2018-02-13T00:00:00Z") }, false],
    ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", { ec2InstanceId: "i-wxyx7890" }, true],
    ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", { ec2InstanceId: "i-00000000" }, false],
    // Word and symbol spellings of the operators.
    ["attribute:ecs.instance-type equals t2.micro", t2, true],
    ["attribute:ecs.instance-type not_equals t2.micro", t2, false],
    ["attribute:ecs.instance-type matches t2.*", t2, true],
    ["attribute:ecs.instance-type =~ t2.*", m5, false],
    ["attribute:ecs.instance-type !~ t2.*", m5, true],
    ["attribute:ecs.instance-type not_matches t2.*", t2, false],
    ["attribute:ecs.availability-zone !in [us-east-1a]", m5, true],
    ["attribute:ecs.availability-zone not_in [us-east-1a]", t2, false],
    // Patterns match the whole value, as Java's Pattern.matches does.
    ["attribute:ecs.instance-type =~ t2", t2, false],
    ["attribute:ecs.instance-type =~ 't2\\.(micro|small)'", t2, true],
    // Presence.
    ["attribute:stack exists", { attributes: { stack: "prod" } }, true],
    ["attribute:stack exists", {}, false],
    ["attribute:stack !exists", {}, true],
    ["attribute:stack not_exists", { attributes: { stack: "prod" } }, false],
    ["attribute:gpu exists", { attributes: { gpu: undefined } }, true],
    ["task:group exists", { groups: ["a"] }, true],
    ["task:group !exists", {}, true],
    // A comparison on a missing subject is false, even a negative one (guide: `attribute:stack != prod`
    // lists instances that have `stack` with another value).
    ["attribute:stack != prod", { attributes: { stack: "dev" } }, true],
    ["attribute:stack != prod", { attributes: { stack: "prod" } }, false],
    ["attribute:stack != prod", {}, false],
    ["attribute:stack !in [prod]", {}, false],
    ["not(attribute:stack == prod)", {}, true],
    ["agentVersion < 9.0.0", {}, false],
    // Other subjects.
    ["agentConnected == false", { agentConnected: false }, true],
    ["agentConnected == true", { agentConnected: false }, false],
    ["agentConnected in [true]", {}, true],
    ["registeredAt == 2018-02-13", { registeredAt: new Date("2018-02-13T10:00:00Z") }, true],
    ["registeredAt > 2018-02-13", { registeredAt: new Date("2018-02-13T10:00:00Z") }, false],
    ["registeredAt > 2018-02-13", { registeredAt: new Date("2018-02-14T00:00:00Z") }, true],
    ["registeredAt <= 2018-02-13", { registeredAt: new Date("2018-02-13T23:00:00Z") }, true],
    ["registeredAt >= 2018-06-18T22:28:28+00:00", { registeredAt: new Date("2018-06-18T22:28:28.500Z") }, true],
    ["registeredAt < 2018-06-18T22:28:28Z", { registeredAt: new Date("2018-06-18T22:28:27Z") }, true],
    ["registeredAt == 2018-06-18T22:28:28", { registeredAt: new Date("2018-06-18T22:28:28.250Z") }, true],
    ["registeredAt < 2018-06-18T23:00:00+02:00", { registeredAt: new Date("2018-06-18T20:59:59Z") }, true],
    ["registeredAt < 2018-06-18T23:00:00+02:00", { registeredAt: new Date("2018-06-18T21:00:00Z") }, false],
    ["registeredAt < 2018-02-13", { registeredAt: 1518393600 }, true], // epoch seconds, 2018-02-12
    ["registeredAt < 2018-02-13", { registeredAt: "2018-02-14T00:00:00Z" }, false],
    ["attribute:cores > 8", { attributes: { cores: "16" } }, true],
    ["attribute:cores > 8", { attributes: { cores: "4" } }, false],
    // Compound expressions: not binds tighter than and, and tighter than or.
    ["attribute:a == 1 or attribute:b == 1 and attribute:c == 1", { attributes: { a: "1" } }, true],
    ["(attribute:a == 1 or attribute:b == 1) and attribute:c == 1", { attributes: { a: "1" } }, false],
    ["attribute:a == 1 || attribute:b == 1 && attribute:c == 1", { attributes: { b: "1", c: "1" } }, true],
    ["!attribute:a == 1 && attribute:b == 1", { attributes: { b: "1" } }, true],
    ["not attribute:a == 1 AND attribute:b == 1", { attributes: { a: "1", b: "1" } }, false],
    ["!(attribute:a exists || attribute:b exists)", {}, true],
    // Quoted values may hold spaces and operator characters.
    ['attribute:team == "blue team"', { attributes: { team: "blue team" } }, true],
    ["attribute:team == 'a==b'", { attributes: { team: "a==b" } }, true],
    ["attribute:team in ['blue team', red]", { attributes: { team: "red" } }, true],
    // Values with the characters attribute values may contain.
    ["attribute:path == /opt/data@v1:x", { attributes: { path: "/opt/data@v1:x" } }, true],
  ];

  it.each(cases)("%s on %j is %s", (expression, spec, expected) => {
    expect(compileQuery(expression)(subject(spec))).toBe(expected);
  });

  // [expression, part of the message]
  const malformed: [string, string][] = [
    ["", "empty"],
    ["   ", "empty"],
    ["attribute:stack ==", "expected a value but found 'end of expression'"],
    ["attribute:stack = prod", "did you mean '=='"],
    ["attribute:stack prod", "expected an operator after 'attribute:stack' but found 'prod'"],
    ["stack == prod", "unknown subject 'stack'"],
    ["attribute: == prod", "needs an attribute name"],
    ["attribute:team == blue team", "unexpected 'team' (quote values that contain spaces)"],
    ["(attribute:a == b", "expected ')' but found 'end of expression'"],
    ["attribute:a == b)", "unexpected ')'"],
    ["attribute:a == b and", "expected a subject but found 'end of expression'"],
    ["attribute:a in b", "expects a list such as [a, b]"],
    ["attribute:a in [b c]", "expected ',' or ']'"],
    ["attribute:a == [b]", "a list is only valid after 'in'"],
    ["agentConnected > 1", "'>' cannot be used with agentConnected"],
    ["registeredAt exists", "'exists' cannot be used with registeredAt"],
    ["task:group > a", "'>' cannot be used with task:group"],
    ["registeredAt < yesterday", "'yesterday' is not a valid date"],
    ["registeredAt < 2018-02-30", "'2018-02-30' is not a valid date"],
    ["runningTasksCount > many", "compares with a number"],
    ["agentVersion < latest", "compares with a version"],
    ["attribute:a =~ '('", "is not a valid regular expression"],
    ["attribute:a == 'b", "unterminated string"],
    ["attribute:a == b & attribute:c == d", "did you mean '&&'"],
    ["attribute:a ~ b", "did you mean '=~'"],
    [`attribute:a == ${"x".repeat(2000)}`, "the maximum is 2000"],
  ];

  it.each(malformed)("rejects %j: %s", (expression, message) => {
    let error: unknown;
    try {
      compileQuery(expression);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EcsError);
    expect((error as EcsError).name).toBe("InvalidParameterException");
    expect((error as EcsError).message).toContain(message);
  });

  it("names the position of the problem", () => {
    expect(() => compileQuery("attribute:a == b or foo == c")).toThrow(/at position 21/);
  });

  it("accepts an expression of exactly 2000 characters", () => {
    const expression = `attribute:a == ${"x".repeat(2000 - "attribute:a == ".length)}`;
    expect(expression).toHaveLength(2000);
    expect(compileQuery(expression)(subject())).toBe(false);
  });
});
