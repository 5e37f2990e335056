import { describe, expect, it } from "vitest";
import type { Model } from "../../../../core/protocol/model.ts";
import { queryAction, queryError, queryInput, queryResponse } from "../../../../core/protocol/query.ts";

const model = {
  metadata: { apiVersion: "2010-08-01", targetPrefix: "T", signingName: "t" },
  operations: { Op: { input: "In", output: "Out" } },
  shapes: {
    In: {
      type: "structure",
      members: {
        Name: { shape: "S" },
        N: { shape: "D" },
        On: { shape: "B" },
        Items: { shape: "L" },
        Tags: { shape: "M" },
        At: { shape: "T" },
      },
    },
    Out: { type: "structure", members: { Items: { shape: "L" }, At: { shape: "T" }, Name: { shape: "S" } } },
    L: { type: "list", member: { shape: "Item" } },
    Item: { type: "structure", members: { Key: { shape: "S" }, Value: { shape: "S" } } },
    M: { type: "map", key: { shape: "S" }, value: { shape: "S" } },
    S: { type: "string" },
    D: { type: "double" },
    B: { type: "boolean" },
    T: { type: "timestamp" },
  },
} as unknown as Model;

describe("the query protocol", () => {
  it("decodes flattened parameters by the model: lists, maps, numbers, booleans, timestamps", () => {
    const { action, version, params } = queryAction(
      "Action=Op&Version=2010-08-01&Name=a%26b&N=70.5&On=true&Items.member.1.Key=k1&Items.member.1.Value=v1&Items.member.2.Key=k2&Tags.entry.1.key=team&Tags.entry.1.value=web&At=2026-01-01T00%3A00%3A00Z",
    );
    expect([action, version]).toEqual(["Op", "2010-08-01"]);
    expect(queryInput(model, "Op", params)).toEqual({
      Name: "a&b",
      N: 70.5,
      On: true,
      Items: [{ Key: "k1", Value: "v1" }, { Key: "k2" }],
      Tags: { team: "web" },
      At: new Date("2026-01-01T00:00:00Z"),
    });
    expect(queryInput(model, "Op", new URLSearchParams("Items="))).toEqual({ Items: [] });
    expect(() => queryInput(model, "Op", new URLSearchParams("N=x"))).toThrow("Expected a number at 'N'");
  });

  it("answers in XML under <OpResult>, escaped, timestamps in ISO 8601, and errors in an ErrorResponse", () => {
    const xml = queryResponse(
      model,
      "Op",
      { Name: "<a>", At: new Date(0), Items: [{ Key: "k" }] },
      "r-1",
      "http://example/doc/",
    );
    expect(xml).toBe(
      '<OpResponse xmlns="http://example/doc/"><OpResult><Items><member><Key>k</Key></member></Items><At>1970-01-01T00:00:00.000Z</At><Name>&lt;a&gt;</Name></OpResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></OpResponse>',
    );
    expect(queryError("InvalidParameterValue", "bad & wrong", true, "r-2")).toBe(
      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>bad &amp; wrong</Message></Error><RequestId>r-2</RequestId></ErrorResponse>",
    );
  });
});
