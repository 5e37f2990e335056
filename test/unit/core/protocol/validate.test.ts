import { describe, expect, it } from "vitest";
import { fromEcsJson } from "../../../../core/model/json.ts";
import { validateInput } from "../../../../core/protocol/validate.ts";

const check = (operation: string, json: string) => () => validateInput(operation, fromEcsJson(json));

describe("numbers on the wire", () => {
  it("takes an Integer within 32 bits and refuses one beyond, as any number that is no Integer", () => {
    expect(check("UpdateService", '{"service":"web","desiredCount":2147483647}')).not.toThrow();
    expect(check("UpdateService", '{"service":"web","desiredCount":-2147483648}')).not.toThrow();
    for (const n of ["2147483648", "-2147483649", "9007199254740993", "1e21"]) {
      expect(check("UpdateService", `{"service":"web","desiredCount":${n}}`)).toThrow(
        "NUMBER_VALUE can not be converted to an Integer at 'desiredCount'.",
      );
    }
  });

  it("refuses epoch seconds beyond what a timestamp holds", () => {
    expect(check("SubmitTaskStateChange", '{"pullStartedAt":1700000000}')).not.toThrow();
    expect(check("SubmitTaskStateChange", '{"pullStartedAt":1e308}')).toThrow(
      "Expected a timestamp in epoch seconds at 'pullStartedAt'.",
    );
  });
});
