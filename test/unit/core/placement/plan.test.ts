import type { PlacementConstraint, PlacementStrategy } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import type { ContainerInstanceRecord } from "../../../../core/model/records.ts";
import { resourceList } from "../../../../core/model/resourceList.ts";
import { remaining, reserve } from "../../../../core/placement/capacity.ts";
import { mulberry32, planPlacement, REASONS, validatePlacement } from "../../../../core/placement/plan.ts";
import type { Candidate, PlacementPlan, PlacementRequest, ResidentTask } from "../../../../core/placement/types.ts";
import { EcsError } from "../../../../core/protocol/errors.ts";

const ARN = "arn:aws:ecs:us-east-1:000000000000:container-instance/default/";

interface Spec {
  cpu?: number;
  memory?: number;
  ports?: number[];
  az?: string;
  type?: string;
  status?: string;
  agentConnected?: boolean;
  attributes?: Record<string, string>;
  tasks?: ResidentTask[];
}

function instance(id: string, spec: Spec = {}): Candidate {
  const record: ContainerInstanceRecord = {
    cluster: "default",
    id,
    version: 3,
    instance: {
      containerInstanceArn: ARN + id,
      status: spec.status ?? "ACTIVE",
      agentConnected: spec.agentConnected ?? true,
      attributes: Object.entries({
        "ecs.availability-zone": spec.az ?? "us-east-1a",
        "ecs.instance-type": spec.type ?? "t3.medium",
        ...spec.attributes,
      }).map(([name, value]) => ({ name, value })),
      remainingResources: resourceList({
        cpu: spec.cpu ?? 2048,
        memory: spec.memory ?? 4096,
        ports: [22, 51678, ...(spec.ports ?? [])],
        udpPorts: [],
      }),
    },
  };
  return { record, tasks: spec.tasks ?? [] };
}

function request(overrides: Partial<PlacementRequest> = {}): PlacementRequest {
  return {
    demand: { cpu: 256, memory: 512, ports: [], udpPorts: [] },
    count: 1,
    group: "family:web",
    taskDefinitionArn: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
    constraints: [],
    strategies: [],
    random: mulberry32(42),
    ...overrides,
  };
}

/** Which instances got the tasks, in order. */
const placed = (plan: PlacementPlan) => plan.placements.map((r) => r.id);
/** Why each instance was turned down, by instance id. */
const reasons = (plan: PlacementPlan) =>
  Object.fromEntries(plan.failures.map((f) => [f.arn.slice(ARN.length), f.reason]));
/** How many tasks went where, by a key of the instance. */
function tally(plan: PlacementPlan, key: (id: string) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const id of placed(plan)) out[key(id)] = (out[key(id)] ?? 0) + 1;
  return out;
}

const binpackMemory: PlacementStrategy[] = [{ type: "binpack", field: "memory" }];
const distinct: PlacementConstraint[] = [{ type: "distinctInstance" }];

describe("planPlacement", () => {
  describe("strategies", () => {
    it("binpack on memory fills the fullest instance first", () => {
      const plan = planPlacement(
        [instance("roomy", { memory: 3072 }), instance("full", { memory: 1024 }), instance("half", { memory: 2048 })],
        request({ count: 7, strategies: binpackMemory }),
      );
      // 512 MiB each: full takes 2 (1024 → 0), then half is the fullest and takes 4, then roomy.
      expect(placed(plan)).toEqual(["full", "full", "half", "half", "half", "half", "roomy"]);
      expect(plan.failures).toEqual([]);
    });

    it("binpack on cpu looks at CPU, not memory", () => {
      const plan = planPlacement(
        [instance("a", { cpu: 512, memory: 8000 }), instance("b", { cpu: 4096, memory: 600 })],
        request({ count: 3, strategies: [{ type: "binpack", field: "CPU" }] }),
      );
      expect(placed(plan)).toEqual(["a", "a", "b"]);
    });

    it("spread over availability zones evens out across 3 AZs", () => {
      const azs = ["us-east-1a", "us-east-1b", "us-east-1c"];
      const candidates = azs.flatMap((az, i) => [instance(`${i}x`, { az }), instance(`${i}y`, { az })]);
      const plan = planPlacement(
        candidates,
        request({ count: 9, strategies: [{ type: "spread", field: "attribute:ecs.availability-zone" }] }),
      );
      expect(tally(plan, (id) => azs[Number(id[0])])).toEqual({ "us-east-1a": 3, "us-east-1b": 3, "us-east-1c": 3 });
    });

    it("spread counts the group's tasks already running, and only the group's", () => {
      const web = { group: "family:web" };
      const other = { group: "family:batch" };
      const plan = planPlacement(
        [
          instance("a", { az: "us-east-1a", tasks: [web, web] }),
          instance("b", { az: "us-east-1b", tasks: [other, other, other] }),
          instance("c", { az: "us-east-1c" }),
        ],
        request({ count: 4, strategies: [{ type: "spread", field: "attribute:ecs.availability-zone" }] }),
      );
      expect(tally(plan, (id) => id)).toEqual({ b: 2, c: 2 });
    });

    it("a later strategy breaks the ties of an earlier one: spread over AZs, then over instances", () => {
      const candidates = ["a", "b", "c"].flatMap((az) => [
        instance(`${az}1`, { az: `us-east-1${az}` }),
        instance(`${az}2`, { az: `us-east-1${az}` }),
      ]);
      const plan = planPlacement(
        candidates,
        request({
          count: 6,
          strategies: [
            { type: "spread", field: "attribute:ecs.availability-zone" },
            { type: "spread", field: "instanceId" },
          ],
        }),
      );
      expect(tally(plan, (id) => id)).toEqual({ a1: 1, a2: 1, b1: 1, b2: 1, c1: 1, c2: 1 });
    });

    it("spread over AZs, then binpack on memory within each AZ", () => {
      const plan = planPlacement(
        [
          instance("a-roomy", { az: "us-east-1a", memory: 4000 }),
          instance("a-tight", { az: "us-east-1a", memory: 1500 }),
          instance("b-roomy", { az: "us-east-1b", memory: 4000 }),
          instance("b-tight", { az: "us-east-1b", memory: 1500 }),
        ],
        request({
          count: 4,
          strategies: [{ type: "spread", field: "attribute:ecs.availability-zone" }, ...binpackMemory],
        }),
      );
      expect(tally(plan, (id) => id)).toEqual({ "a-tight": 2, "b-tight": 2 });
    });

    it("spread on host is spread on instanceId", () => {
      const plan = planPlacement(
        [instance("a"), instance("b"), instance("c")],
        request({ count: 3, strategies: [{ type: "spread", field: "host" }] }),
      );
      expect(tally(plan, (id) => id)).toEqual({ a: 1, b: 1, c: 1 });
    });

    it("without a strategy, places randomly (RunTask's default) rather than piling onto one instance", () => {
      const plan = planPlacement(
        [instance("a", { memory: 100_000 }), instance("b", { memory: 100_000 }), instance("c", { memory: 100_000 })],
        request({ count: 30 }),
      );
      const counts = tally(plan, (id) => id);
      expect(Object.keys(counts).sort()).toEqual(["a", "b", "c"]);
      for (const n of Object.values(counts)) expect(n).toBeGreaterThan(3);
    });

    it("a seeded random placement is reproducible, and another seed places differently", () => {
      const candidates = ["a", "b", "c", "d", "e"].map((id) => instance(id, { memory: 100_000 }));
      const run = (seed: number) =>
        placed(
          planPlacement(candidates, request({ count: 8, strategies: [{ type: "random" }], random: mulberry32(seed) })),
        );
      expect(run(7)).toEqual(run(7));
      // Replays do not depend on the order the store returned the instances in.
      const reversed = planPlacement(
        [...candidates].reverse(),
        request({ count: 8, strategies: [{ type: "random" }], random: mulberry32(7) }),
      );
      expect(placed(reversed)).toEqual(run(7));
      const others = [1, 2, 3, 4, 5].map(run);
      expect(others.some((p) => JSON.stringify(p) !== JSON.stringify(run(7)))).toBe(true);
    });
  });

  describe("constraints and failures", () => {
    it("distinctInstance with a count larger than the instances places one per instance and says why not more", () => {
      const plan = planPlacement(
        [instance("a"), instance("b"), instance("c")],
        request({ count: 5, constraints: distinct }),
      );
      expect([...placed(plan)].sort()).toEqual(["a", "b", "c"]);
      expect(reasons(plan)).toEqual({
        a: REASONS.distinctInstance,
        b: REASONS.distinctInstance,
        c: REASONS.distinctInstance,
      });
    });

    it("distinctInstance avoids instances already running a task of the group", () => {
      const plan = planPlacement(
        [instance("a", { tasks: [{ group: "family:web" }] }), instance("b", { tasks: [{ group: "family:db" }] })],
        request({ count: 2, constraints: distinct }),
      );
      expect(placed(plan)).toEqual(["b"]);
      expect(reasons(plan)).toEqual({ a: REASONS.distinctInstance, b: REASONS.distinctInstance });
    });

    it("memberOf with attribute:ecs.instance-type =~ t2.* keeps tasks on T2 instances", () => {
      const plan = planPlacement(
        [
          instance("micro", { type: "t2.micro", memory: 1024 }),
          instance("small", { type: "t2.small", memory: 2048 }),
          instance("big", { type: "m5.large", memory: 8192 }),
        ],
        request({
          count: 7,
          strategies: binpackMemory,
          constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t2.*" }],
        }),
      );
      expect(tally(plan, (id) => id)).toEqual({ micro: 2, small: 4 });
      expect(reasons(plan)).toEqual({
        micro: "RESOURCE:MEMORY",
        small: "RESOURCE:MEMORY",
        big: REASONS.memberOf,
      });
    });

    it("memberOf with task:group places next to the group it names", () => {
      const plan = planPlacement(
        [instance("a", { tasks: [{ group: "databases" }] }), instance("b")],
        request({ count: 2, constraints: [{ type: "memberOf", expression: "task:group == databases" }] }),
      );
      expect(placed(plan)).toEqual(["a", "a"]);
    });

    it("memberOf sees the tasks this plan already placed", () => {
      const plan = planPlacement(
        [instance("a"), instance("b"), instance("c")],
        request({
          count: 3,
          constraints: [{ type: "memberOf", expression: "not(task:group == family:web)" }],
        }),
      );
      expect([...placed(plan)].sort()).toEqual(["a", "b", "c"]);
    });

    it("a port in use sends the task elsewhere", () => {
      const plan = planPlacement(
        [instance("busy", { ports: [80] }), instance("free")],
        request({ count: 1, demand: { cpu: 0, memory: 64, ports: [80], udpPorts: [] } }),
      );
      expect(placed(plan)).toEqual(["free"]);
    });

    it("two tasks on the same fixed host port cannot share an instance", () => {
      const plan = planPlacement(
        [instance("busy", { ports: [80] }), instance("free")],
        request({ count: 2, demand: { cpu: 0, memory: 64, ports: [80], udpPorts: [] } }),
      );
      expect(placed(plan)).toEqual(["free"]);
      expect(reasons(plan)).toEqual({ busy: "RESOURCE:PORTS", free: "RESOURCE:PORTS" });
    });

    it("dynamic host ports (0) never conflict", () => {
      const plan = planPlacement(
        [instance("only")],
        request({ count: 3, demand: { cpu: 0, memory: 64, ports: [0], udpPorts: [] } }),
      );
      expect(placed(plan)).toEqual(["only", "only", "only"]);
    });

    it("a UDP port in use is RESOURCE:PORTS_UDP", () => {
      const candidate = instance("dns");
      const taken = {
        ...candidate,
        record: reserve(candidate.record, { cpu: 0, memory: 0, ports: [], udpPorts: [53] }),
      };
      const plan = planPlacement([taken], request({ demand: { cpu: 0, memory: 1, ports: [], udpPorts: [53] } }));
      expect(reasons(plan)).toEqual({ dns: "RESOURCE:PORTS_UDP" });
    });

    // [instance, request, reason]: the reason of the first stage that rejects the instance.
    const rejections: [string, Spec, Partial<PlacementRequest>, string][] = [
      ["deregistered", { status: "INACTIVE" }, {}, "INACTIVE"],
      ["draining", { status: "DRAINING" }, {}, "INACTIVE"],
      ["agent disconnected", { agentConnected: false }, {}, "AGENT"],
      ["inactive and disconnected", { status: "INACTIVE", agentConnected: false }, {}, "INACTIVE"],
      [
        "missing a required attribute",
        {},
        { requiredAttributes: [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.44" }] },
        "ATTRIBUTE",
      ],
      [
        "a required attribute with another value",
        { attributes: { "ecs.os-type": "windows" } },
        { requiredAttributes: [{ name: "ecs.os-type", value: "linux" }] },
        "ATTRIBUTE",
      ],
      ["not enough CPU", { cpu: 100 }, {}, "RESOURCE:CPU"],
      ["not enough memory", { memory: 100 }, {}, "RESOURCE:MEMORY"],
      ["disconnected and full", { agentConnected: false, memory: 100 }, {}, "AGENT"],
      [
        "full and outside the memberOf",
        { memory: 100 },
        { constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ g2.*" }] },
        "RESOURCE:MEMORY",
      ],
      [
        "outside the memberOf",
        {},
        { constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ g2.*" }] },
        REASONS.memberOf,
      ],
      [
        "constraints in the order given",
        { tasks: [{ group: "family:web" }] },
        { constraints: [...distinct, { type: "memberOf", expression: "attribute:nope exists" }] },
        REASONS.distinctInstance,
      ],
    ];
    it.each(rejections)("%s → %s", (_what, spec, overrides, reason) => {
      const plan = planPlacement([instance("i", spec)], request(overrides));
      expect(plan.placements).toEqual([]);
      expect(plan.failures).toEqual([{ arn: `${ARN}i`, reason, detail: expect.any(String) }]);
    });

    it("records each rejected instance once, with the reason of the round that ran out", () => {
      const plan = planPlacement(
        [instance("a", { memory: 1024 }), instance("gone", { status: "INACTIVE" }), instance("b", { memory: 512 })],
        request({ count: 5, strategies: binpackMemory }),
      );
      expect(placed(plan)).toEqual(["b", "a", "a"]);
      expect(plan.failures.map((f) => f.arn)).toEqual([`${ARN}a`, `${ARN}b`, `${ARN}gone`]);
      expect(reasons(plan)).toEqual({ a: "RESOURCE:MEMORY", b: "RESOURCE:MEMORY", gone: "INACTIVE" });
    });

    it("reports no failures when every task is placed, even if some instances could not take one", () => {
      const plan = planPlacement([instance("a"), instance("gone", { agentConnected: false })], request({ count: 2 }));
      expect(placed(plan)).toEqual(["a", "a"]);
      expect(plan.failures).toEqual([]);
    });

    it("returns the records as read, once per task, for the caller to reserve and commit", () => {
      const a = instance("a", { memory: 1024 });
      const plan = planPlacement([a], request({ count: 2 }));
      expect(plan.placements).toHaveLength(2);
      expect(plan.placements[0]).toBe(a.record);
      expect(plan.placements[1]).toBe(a.record);
      const committed = plan.placements.reduce((r) => reserve(r, request().demand), a.record);
      expect(remaining(committed).memory).toBe(0);
      expect(committed.version).toBe(3);
    });

    it("places nothing for a count of 0 and on an empty cluster", () => {
      expect(planPlacement([instance("a")], request({ count: 0 }))).toEqual({ placements: [], failures: [] });
      expect(planPlacement([], request({ count: 2 }))).toEqual({ placements: [], failures: [] });
    });

    it("rejects a malformed memberOf expression", () => {
      expect(() =>
        planPlacement([instance("a")], request({ constraints: [{ type: "memberOf", expression: "attribute:a = b" }] })),
      ).toThrow(EcsError);
    });
  });
});

describe("validatePlacement", () => {
  const memberOf = (expression?: string): PlacementConstraint => ({ type: "memberOf", expression });

  // [what, constraints, strategies, message or undefined when valid]
  const cases: [string, PlacementConstraint[], PlacementStrategy[], string | undefined][] = [
    ["nothing", [], [], undefined],
    [
      "the guide's examples",
      [...distinct, memberOf("attribute:ecs.instance-type =~ t2.*"), memberOf("task:group == databases")],
      [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "spread", field: "instanceId" },
        { type: "binpack", field: "memory" },
        { type: "binpack", field: "cpu" },
        { type: "random" },
      ],
      undefined,
    ],
    ["10 constraints", Array.from({ length: 10 }, () => memberOf("attribute:a exists")), [], undefined],
    [
      "11 constraints",
      Array.from({ length: 11 }, () => memberOf("attribute:a exists")),
      [],
      "Too many placement constraints: 11 given, the maximum is 10",
    ],
    ["6 strategies", [], Array.from({ length: 6 }, () => ({ type: "random" as const })), "the maximum is 5"],
    [
      "distinctInstance with an expression",
      [{ type: "distinctInstance", expression: "attribute:a exists" }],
      [],
      "distinctInstance expression should not be specified.",
    ],
    [
      "distinctInstance with an empty expression",
      [{ type: "distinctInstance", expression: "" }],
      [],
      "distinctInstance expression should not be specified.",
    ],
    ["memberOf without an expression", [memberOf()], [], "memberOf expression must be specified."],
    ["memberOf with a blank expression", [memberOf("  ")], [], "memberOf expression must be specified."],
    ["memberOf that does not parse", [memberOf("attribute:a == ")], [], "Invalid cluster query expression"],
    ["an unknown constraint type", [{ type: "sameInstance" as "memberOf" }], [], "Invalid placement constraint type"],
    ["binpack on disk", [], [{ type: "binpack", field: "disk" }], "Invalid binpack field 'disk'"],
    ["binpack without a field", [], [{ type: "binpack" }], "Valid fields: cpu, memory."],
    ["binpack on MEMORY", [], [{ type: "binpack", field: "MEMORY" }], undefined],
    ["spread without a field", [], [{ type: "spread" }], "spread field must be specified"],
    ["spread on attribute: alone", [], [{ type: "spread", field: "attribute:" }], "Invalid spread field"],
    ["spread on cpu", [], [{ type: "spread", field: "cpu" }], "Invalid spread field 'cpu'"],
    ["spread on host", [], [{ type: "spread", field: "host" }], undefined],
    ["random with a field", [], [{ type: "random", field: "" }], "random field should not be specified."],
    ["an unknown strategy type", [], [{ type: "pack" as "random" }], "Invalid placement strategy type 'pack'"],
  ];

  it.each(cases)("%s", (_what, constraints, strategies, message) => {
    let error: unknown;
    try {
      validatePlacement(constraints, strategies);
    } catch (e) {
      error = e;
    }
    if (message === undefined) {
      expect(error).toBeUndefined();
    } else {
      expect(error).toBeInstanceOf(EcsError);
      expect((error as EcsError).name).toBe("InvalidParameterException");
      expect((error as EcsError).message).toContain(message);
    }
  });
});
