import { describe, expect, it } from "vitest";
import { attributeNamed } from "../../../../core/placement/attributes.ts";

describe("attributeNamed", () => {
  const list = [
    { name: "ecs.availability-zone", value: "us-east-1a" },
    { name: "ecs.os-type", value: "linux" },
    { name: "ecs.availability-zone", value: "us-east-1b" },
  ];

  it("is the first attribute of that name, in a frozen list (indexed) as in one that is not", () => {
    const frozen = Object.freeze(list.map((a) => Object.freeze({ ...a })));
    for (const attributes of [list, frozen]) {
      expect(attributeNamed(attributes, "ecs.availability-zone")?.value).toBe("us-east-1a");
      expect(attributeNamed(attributes, "ecs.os-type")?.value).toBe("linux");
      expect(attributeNamed(attributes, "ecs.instance-type")).toBeUndefined();
    }
    expect(attributeNamed(undefined, "ecs.os-type")).toBeUndefined();
  });
});
