import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Ec2InstanceFacts, instanceIdentityCheck } from "../../../../../core/auth/ec2/identityCheck.ts";

/**
 * The checks of a registration's EC2 instance identity document (a real one, signed by AWS: see
 * test/fixtures) around EC2's answer, given here as plain data; the real EC2 client is exercised in
 * test/integration/ec2Identity.test.ts.
 */
const sample: { document: string; signature: string } = JSON.parse(
  readFileSync(new URL("../../../../fixtures/ec2-identity-document.json", import.meta.url), "utf8"),
);
const SYDNEY = { region: "ap-southeast-2", accountId: "189292791360" };
const INSTANCE = "i-0c5541936caf78c12";

describe("the EC2 identity check of a registration", () => {
  const running: Ec2InstanceFacts = {
    state: "running",
    tags: { "berth:cluster": "default" },
    launchTime: new Date("2026-02-16T00:38:27Z"),
  };
  const check = (
    facts: Ec2InstanceFacts | "unknown" | Error = running,
    partition = SYDNEY,
    now = new Date("2026-12-01T00:00:00Z"),
  ) =>
    instanceIdentityCheck(
      { requiredTag: { key: "berth:cluster", value: "default" } },
      partition,
      async () => {
        if (facts instanceof Error) throw facts;
        return facts === "unknown" ? undefined : facts;
      },
      () => now,
    );

  it("answers the document's fields when every check passes", async () => {
    const identity = await check()(sample);
    expect(identity).toMatchObject({ instanceId: INSTANCE, instanceType: "t4g.small", architecture: "arm64" });
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    ["no signature", () => check()({ document: sample.document }), /must carry instanceIdentityDocument/],
    [
      "a tampered document",
      () => check()({ ...sample, document: sample.document.replace("t4g.small", "t4g.large") }),
      /signature does not verify against AWS's RSA certificate for ap-southeast-2/,
    ],
    [
      "a control plane in a region with another key",
      () => check(running, { ...SYDNEY, region: "af-south-1" })(sample),
      /does not verify against AWS's RSA certificate for af-south-1/,
    ],
    [
      "a control plane in another region with the same key",
      () => check(running, { ...SYDNEY, region: "us-east-1" })(sample),
      /in region ap-southeast-2; this control plane is in us-east-1/,
    ],
    [
      "another account",
      () => check(running, { ...SYDNEY, accountId: "000000000000" })(sample),
      /belongs to account 189292791360, not 000000000000/,
    ],
    [
      "a pendingTime in the future",
      () => check(running, SYDNEY, new Date("2026-02-15T00:00:00Z"))(sample),
      /pendingTime 2026-02-16T00:38:27.000Z is in the future/,
    ],
    ["an instance EC2 does not know", () => check("unknown")(sample), /EC2 knows no instance i-0c5541936caf78c12/],
    ["a stopped instance", () => check({ ...running, state: "stopped" })(sample), /is stopped, not running/],
    [
      "a document from an earlier run",
      () => check({ ...running, launchTime: new Date("2026-03-01T00:00:00Z") })(sample),
      /from an earlier run of i-0c5541936caf78c12/,
    ],
    ["a missing tag", () => check({ ...running, tags: {} })(sample), /does not carry the tag berth:cluster=default/],
    [
      "a tag with another value",
      () => check({ ...running, tags: { "berth:cluster": "web" } })(sample),
      /does not carry the tag berth:cluster=default/,
    ],
  ])("refuses %s with a ClientException saying why", async (_, call, reason) => {
    const error = await call().then(
      () => undefined,
      (e) => e,
    );
    expect(error?.name).toBe("ClientException");
    expect(error?.message).toMatch(reason);
  });

  it("is a ServerException (retried) when EC2 cannot be asked", async () => {
    const error = await check(new Error("connect ECONNREFUSED"))(sample).catch((e) => e);
    expect(error.name).toBe("ServerException");
    expect(error.message).toMatch(/Could not confirm i-0c5541936caf78c12 with EC2 DescribeInstances/);
  });
});
